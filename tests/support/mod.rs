//! Test support: the Discord stand-in and the `agora serve` child-process harness.
//! Each test file uses part of it.
#![allow(dead_code)]

pub mod bot;
pub mod discord;
