//! Benchmarks on a generated database of 100,000 runs (built once per
//! machine under target/bench-data, rebuilt if missing): the board's first
//! page, counts per state, opening a run, saving a field, checking the audit chain.

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use std::path::PathBuf;
use traveler::domain::*;
use traveler::store::{RunFilter, Store};

const RUNS: usize = 100_000;
/// Version of the generator's output; bump it when `generate` changes.
const DATA_VERSION: u32 = 2;

fn database() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let path = dir.join(format!("runs-{RUNS}-v{DATA_VERSION}.db"));
    let done = dir.join(format!("runs-{RUNS}-v{DATA_VERSION}.done"));
    if !done.exists() {
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(path.with_extension("db-wal"));
        let _ = std::fs::remove_file(path.with_extension("db-shm"));
        std::fs::create_dir_all(&dir).expect("bench dir");
        let mut store = Store::open(&path).expect("open");
        let start = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("time");
        let began = std::time::Instant::now();
        traveler::generate::generate(&mut store, RUNS, start).expect("generate");
        eprintln!("generated {RUNS} runs in {:.1?}", began.elapsed());
        std::fs::write(&done, b"ok").expect("mark");
    }
    path
}

/// A fresh copy of the generated database for this run, so what the
/// benchmarks write (measurements pile up on one run) never skews the next run.
fn working_copy(pristine: &std::path::Path) -> PathBuf {
    let copy = pristine.with_file_name("working.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", copy.display()));
    }
    std::fs::copy(pristine, &copy).expect("copy the generated database");
    copy
}

fn benches(c: &mut Criterion) {
    let path = working_copy(&database());
    let mut store = Store::open(&path).expect("open");
    c.bench_function("board: first page of 50 of 100k runs", |b| {
        b.iter(|| {
            store
                .list_runs(&RunFilter::default(), None, 50)
                .expect("page")
        })
    });
    c.bench_function("board: a page deep in the list (keyset)", |b| {
        b.iter(|| {
            store
                .list_runs(&RunFilter::default(), Some(50_000), 50)
                .expect("page")
        })
    });
    c.bench_function("board: in-progress filter, first page", |b| {
        let f = RunFilter {
            state: Some(RunState::InProgress),
            search: None,
            untouched_before: None,
        };
        b.iter(|| store.list_runs(&f, None, 50).expect("page"))
    });
    c.bench_function("board: search a serial", |b| {
        let f = RunFilter {
            state: None,
            search: Some("GEN-0054321".into()),
            untouched_before: None,
        };
        b.iter(|| store.list_runs(&f, None, 50).expect("page"))
    });
    c.bench_function("board: counts per state", |b| {
        b.iter(|| store.count_runs_by_state().expect("counts"))
    });
    c.bench_function("run: open by serial", |b| {
        b.iter(|| {
            let id = store
                .find_run("GEN-0054320")
                .expect("find")
                .expect("exists");
            store.run(id).expect("load").expect("run")
        })
    });
    let id = store
        .find_run("GEN-0054320")
        .expect("find")
        .expect("exists");
    let operator = Actor {
        login: "operator".into(),
        name: "Generated operator".into(),
        roles: vec![OPERATOR.into()],
        station: "bench".into(),
        reauthenticated: false,
    };
    let mut n = 0u64;
    c.bench_function(
        "step: save a measurement (IMMEDIATE txn, fsync, audit row)",
        |b| {
            b.iter(|| {
                n += 1;
                store
                    .execute(Request {
                        actor: operator.clone(),
                        run: Some(id),
                        command: Command::SetField {
                            step: "bore".into(),
                            field: "Bore diameter".into(),
                            raw: format!("25.{:02}", n % 5),
                            file_sha256: None,
                            // Every save after the first corrects the value.
                            reason: Some("re-measured".into()),
                            void_approval: true,
                        },
                        seen: Seen::default(),
                        now: Utc::now(),
                    })
                    .expect("saved")
            })
        },
    );
    let mut group = c.benchmark_group("audit");
    group.sample_size(10);
    group.bench_function("verify the whole chain", |b| {
        b.iter(|| store.verify_audit().expect("verify"))
    });
    group.finish();
}

criterion_group!(engine, benches);
criterion_main!(engine);
