//! Command-line types (clap). (Being written.)
