//! `insight-desk`: parses the command line, sets up logging, runs, and prints the error
//! chain on failure. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the system allocator: an import frees on one thread what another
/// allocated, millions of small strings, and glibc's arenas spent a tenth of a first
/// import's time consolidating and unlinking chunks (perf, 2026-12-06).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = insight_desk::cli::Cli::parse();
    insight_desk::telemetry::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: failed to start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(insight_desk::commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
