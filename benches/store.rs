//! How many answers per second the store records, each committed before `record_answer`
//! returns, on SQLite (a temporary file) and PostgreSQL (a fresh database, dropped after).
//!
//! The pattern is a class answering questions: `CLASS` students, each answering every
//! question once; one benchmark iteration is one question. `sequential` awaits each answer
//! before sending the next (one writer); `concurrent` sends the whole class at once, one
//! task per student, as Discord interactions arrive. The store takes answers only for the
//! open question of an open round (it checks that in the insert, so the check is part of
//! what is measured): each iteration starts a round whose one question is open, outside
//! the timed part, and finishes it afterwards.
//!
//! Run: `cargo bench --bench store`. PostgreSQL comes from `AGORA_TEST_POSTGRES_URL`
//! (default `postgres://postgres@127.0.0.1:5432/test`); if it cannot be reached, its
//! benchmarks are skipped with a message.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use agora::store::{AnswerRecord, NewRound, Recorded, RoundKind, Store};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sqlx::migrate::MigrateDatabase;
use tokio::runtime::Runtime;

/// Students answering each question.
const CLASS: u64 = 200;

/// When question `item` opens: one question every 30 s.
fn opened_at(item: u64) -> i64 {
    1_700_000_000_000 + item as i64 * 30_000
}

fn round_id(item: u64) -> String {
    format!("r{item}")
}

fn answer(item: u64, user: u64) -> AnswerRecord {
    let right = user.is_multiple_of(4);
    AnswerRecord {
        guild_id: "bench".into(),
        round_id: round_id(item).into(),
        item_id: format!("q{item}").into(),
        user_id: format!("u{user}").into(),
        response: (user % 4).to_string(),
        correct: right,
        credit: if right { 1.0 } else { 0.0 },
        points: if right { 10 } else { 0 },
        elapsed_ms: 1_000 + user as i64,
        answered_at: opened_at(item) + 1_000 + user as i64,
        review: Some(agora::memory::Review::of(agora::scoring::Verdict::exact(right), 0, None, agora::memory::Scheduler::default())),
    }
}

async fn prepare(store: &Store) {
    for u in 0..CLASS {
        store.upsert_user("bench", &format!("u{u}"), &format!("Student {u}")).await.expect("upsert user");
    }
}

/// Starts the live round that asks question `item` (its question opens at once, with
/// 30 s to answer), in the channel the previous round left free.
async fn ask(store: &Store, item: u64) {
    store
        .create_round(&NewRound {
            guild_id: "bench".into(),
            round_id: round_id(item).into(),
            kind: RoundKind::Live,
            channel_id: Some("c".into()),
            started_by: "teacher".into(),
            item_ids: vec![format!("q{item}").into()],
            open_seconds: 30,
            seed: item,
            speed_bonus: true,
            started_at: opened_at(item),
        })
        .await
        .expect("start round");
}

/// Ends the round of question `item`, so the next can start in the same channel.
async fn close(store: &Store, item: u64) {
    store.finish_round(&"bench".into(), &round_id(item).into(), opened_at(item) + 30_000).await.expect("finish round");
}

fn bench_backend(c: &mut Criterion, rt: &Runtime, name: &str, store: &Store) {
    rt.block_on(prepare(store));
    // Every iteration asks a new question, so every answer is a new row.
    let next_item = AtomicU64::new(0);
    let mut group = c.benchmark_group(format!("record_answer/{name}"));
    group.throughput(Throughput::Elements(CLASS));
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(2));
    group.measurement_time(Duration::from_secs(6));

    group.bench_function("sequential", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut timed = Duration::ZERO;
                for _ in 0..iters {
                    let item = next_item.fetch_add(1, Ordering::Relaxed);
                    ask(store, item).await;
                    let start = Instant::now();
                    for u in 0..CLASS {
                        let r = store.record_answer(&answer(item, u)).await.expect("record");
                        assert_eq!(r, Recorded::Counted);
                    }
                    timed += start.elapsed();
                    close(store, item).await;
                }
                timed
            })
        })
    });

    group.bench_function("concurrent", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut timed = Duration::ZERO;
                for _ in 0..iters {
                    let item = next_item.fetch_add(1, Ordering::Relaxed);
                    ask(store, item).await;
                    let start = Instant::now();
                    let mut class = tokio::task::JoinSet::new();
                    for u in 0..CLASS {
                        let store = store.clone();
                        class.spawn(async move { store.record_answer(&answer(item, u)).await });
                    }
                    while let Some(r) = class.join_next().await {
                        assert_eq!(r.expect("join").expect("record"), Recorded::Counted);
                    }
                    timed += start.elapsed();
                    close(store, item).await;
                }
                timed
            })
        })
    });
    group.finish();
}

fn sqlite(c: &mut Criterion) {
    let rt = Runtime::new().expect("tokio runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/agora.db", dir.path().display());
    let store = rt.block_on(Store::connect(&url)).expect("open SQLite");
    bench_backend(c, &rt, "sqlite", &store);
    rt.block_on(store.close());
}

fn postgres(c: &mut Criterion) {
    let rt = Runtime::new().expect("tokio runtime");
    sqlx::any::install_default_drivers();
    let base = std::env::var("AGORA_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
    let Some(slash) = base.rfind('/').filter(|&i| i > base.find("://").map_or(0, |s| s + 2)) else {
        eprintln!("skipping PostgreSQL benchmarks: no database name in {base}");
        return;
    };
    let url = format!("{}/agora_bench_{:016x}", &base[..slash], rand::random::<u64>());
    if let Err(e) = rt.block_on(sqlx::Any::create_database(&url)) {
        eprintln!("skipping PostgreSQL benchmarks: cannot create a database at {base}: {e}");
        return;
    }
    let store = rt.block_on(Store::connect(&url)).expect("open PostgreSQL");
    bench_backend(c, &rt, "postgres", &store);
    rt.block_on(async {
        store.close().await;
        sqlx::Any::force_drop_database(&url).await.expect("drop bench database");
    });
}

criterion_group!(benches, sqlite, postgres);
criterion_main!(benches);
