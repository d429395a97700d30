//! `insight-desk`: parses the command line, sets up logging, runs, and prints the error
//! chain on failure. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the system allocator: an import frees on one thread what another
/// allocated, millions of small strings, and glibc's arenas spent a tenth of a first
/// import's time consolidating and unlinking chunks (perf, 2026-12-06).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h's `mi_option_e` (v2 and v3 alike); the crate
/// exports no constant for it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // Freed memory goes back to the OS at once rather than 10 ms later: with the default a
    // backfill's batches, freed on one thread while the next ones are allocated on another,
    // took the peak RSS of `bench-sync` from 196 MB to 247 MB (2026-12-06).
    // SAFETY: sets an integer option; mimalloc reads options at each purge.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
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
