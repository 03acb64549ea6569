//! Benchmarks at two sizes, 1,000 and 100,000 generated runs (built once per
//! machine under target/bench-data, rebuilt if missing), with the bare
//! SQLite baselines measured in the same run: the board load, the serial
//! search key by key, opening a run, the quality screen, a save on a fresh
//! run and on a run with 3,000 values, and the audit chain's verification.
//! The operations are `traveler::bench::ops`, the ones `traveler bench`
//! times, done the way the terminal does them; the reports are
//! `traveler::bench::report_ops`, done as their commands do them.

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::{Path, PathBuf};
use traveler::bench::report_ops::{self, ExportAs};
use traveler::bench::{baseline, data, ops};
use traveler::store::Store;

const SIZES: [usize; 2] = [1_000, 100_000];
/// Version of the generator's output; bump it when `generate` changes.
const DATA_VERSION: u32 = 5;

fn bench_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data")
}

fn remove_database(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// The generated database of `runs` runs, built on first use.
fn database(runs: usize) -> PathBuf {
    let dir = bench_dir();
    let path = dir.join(format!("runs-{runs}-v{DATA_VERSION}.db"));
    let done = dir.join(format!("runs-{runs}-v{DATA_VERSION}.done"));
    if !done.exists() {
        remove_database(&path);
        std::fs::create_dir_all(&dir).expect("bench dir");
        let began = std::time::Instant::now();
        data::build(&path, runs, data::HEAVY_VALUES).expect("generate");
        eprintln!("generated {runs} runs in {:.1?}", began.elapsed());
        std::fs::write(&done, b"ok").expect("mark");
    }
    path
}

/// A fresh copy of the generated database for this run, so what the
/// benchmarks write (values pile up on the runs) never skews the next run.
fn working_copy(pristine: &Path, runs: usize) -> PathBuf {
    let copy = pristine.with_file_name(format!("working-{runs}.db"));
    remove_database(&copy);
    std::fs::copy(pristine, &copy).expect("copy the generated database");
    copy
}

fn baselines(c: &mut Criterion) {
    let scratch = bench_dir().join("bare-txn.db");
    remove_database(&scratch);
    std::fs::create_dir_all(bench_dir()).expect("bench dir");
    let mut bare = baseline::BareTxn::open(&scratch).expect("scratch");
    let mut group = c.benchmark_group("bare SQLite");
    group.bench_function("2-row IMMEDIATE txn, synchronous=FULL, WAL", |b| {
        b.iter(|| bare.once().expect("txn"))
    });
    for runs in SIZES {
        let db = database(runs);
        group.bench_function(format!("first page, fresh connection, {runs} runs"), |b| {
            b.iter(|| baseline::first_page(&db, 100).expect("page"))
        });
    }
    group.finish();
}

fn engine(c: &mut Criterion) {
    for runs in SIZES {
        let path = working_copy(&database(runs), runs);
        let mut store = Store::open(&path).expect("open");
        let mut group = c.benchmark_group(format!("{runs} runs"));
        group.bench_function("board load (page + counts + stuck)", |b| {
            b.iter(|| ops::board_load(&mut store).expect("board"))
        });
        group.bench_function("board held tab (markers side table)", |b| {
            b.iter(|| ops::board_held_tab_load(&mut store).expect("held tab"))
        });
        group.bench_function("serial search, 11 keys", |b| {
            b.iter(|| ops::serial_search_keys(&mut store).expect("search"))
        });
        let probe = ops::probe_run(&store).expect("probe run");
        group.bench_function("open a run (run + issues + history)", |b| {
            b.iter(|| ops::open_run(&mut store, probe).expect("open"))
        });
        group.bench_function("quality screen load", |b| {
            b.iter(|| ops::quality_load(&mut store).expect("quality"))
        });
        let mut n = 0u64;
        group.bench_function("save a value on a fresh run", |b| {
            // Each save gets a run of its own; making the run is not timed.
            b.iter_custom(|iters| {
                let mut took = std::time::Duration::ZERO;
                for _ in 0..iters {
                    n += 1;
                    let run = ops::fresh_run(&mut store, &format!("FRESH-{n:06}")).expect("run");
                    let began = std::time::Instant::now();
                    ops::save_value(&mut store, run, n, false).expect("save");
                    took += began.elapsed();
                }
                took
            })
        });
        let heavy = ops::heavy_run(&store).expect("heavy run");
        group.bench_function("save a value on a run with 3,000 values", |b| {
            b.iter(|| {
                n += 1;
                ops::save_value(&mut store, heavy, n, true).expect("save")
            })
        });
        group.sample_size(10);
        group.bench_function("audit verify (whole chain)", |b| {
            b.iter(|| ops::audit_verify(&mut store).expect("verify"))
        });
        group.finish();
    }
}

/// Every report at both sizes, on the pristine database (reports only read).
fn reports(c: &mut Criterion) {
    for runs in SIZES {
        let store = Store::open(&database(runs)).expect("open");
        let unit = data::probe_box(runs);
        let lot = data::probe_lot(runs);
        let run = report_ops::probe_box_run(&store, runs).expect("probe box");
        let since = report_ops::last_day(runs).expect("window");
        let mut group = c.benchmark_group(format!("{runs} runs, reports"));
        group.bench_function("report cycle-time (all)", |b| {
            b.iter(|| report_ops::cycle_time_report(&store, None).expect("cycle time"))
        });
        group.bench_function("report cycle-time --procedure BOX-ASSY", |b| {
            b.iter(|| report_ops::cycle_time_report(&store, Some("BOX-ASSY")).expect("cycle time"))
        });
        group.bench_function("trace down (finished box)", |b| {
            b.iter(|| report_ops::trace_down(&store, &unit).expect("trace down"))
        });
        group.bench_function("trace up (liner lot)", |b| {
            b.iter(|| report_ops::trace_up(&store, &lot).expect("trace up"))
        });
        for (name, format) in [
            ("json", ExportAs::Json),
            ("csv", ExportAs::Csv),
            ("html", ExportAs::Html),
        ] {
            group.bench_function(format!("run export --format {name}"), |b| {
                b.iter(|| report_ops::export_run(&store, run, format).expect("export"))
            });
        }
        group.bench_function("run export --all --since (last day) csv", |b| {
            b.iter(|| report_ops::export_since(&store, since).expect("export all"))
        });
        group.sample_size(10);
        group.bench_function("report spc BOX-ASSY fit Gap", |b| {
            b.iter(|| report_ops::spc_report(&store, "BOX-ASSY", "fit", "Gap").expect("spc"))
        });
        group.finish();
    }
}

criterion_group!(benches, baselines, engine, reports);
criterion_main!(benches);
