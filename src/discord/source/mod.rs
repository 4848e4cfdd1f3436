//! The paper and the bank: `/source` (with its autocomplete, read through `lookup`) and
//! `/bank info|reload`. No buttons.

pub mod bank;
pub mod command;
pub mod lookup;
