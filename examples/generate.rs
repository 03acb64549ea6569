//! Fills a new database with generated runs, through the engine:
//! `cargo run --release --example generate -- PATH RUNS`. The benchmarks use
//! the same generator; this is for trying the terminal on a large board.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(runs)) = (
        args.get(1),
        args.get(2).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: generate PATH RUNS  (PATH must not exist yet)");
        return ExitCode::from(2);
    };
    if std::path::Path::new(path).exists() {
        eprintln!("{path} already exists; give a new file.");
        return ExitCode::from(1);
    }
    let began = std::time::Instant::now();
    let result = traveler::store::Store::open(std::path::Path::new(path)).and_then(|mut store| {
        traveler::generate::generate(
            &mut store,
            runs,
            chrono::Utc::now() - chrono::Duration::days(90),
        )
    });
    match result {
        Ok(()) => {
            println!("{runs} runs in {path} ({:.1?})", began.elapsed());
            println!("Users admin, supervisor, operator; PIN 0000 each.");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
