//! Newtypes parsed once at the edge (CLI flags, config, slash-command text, CSV cells) so that
//! nothing inside re-checks strings: money in minor units, calendar periods, channels,
//! breakdown dimensions and the output language.

mod channel;
mod lang;
mod money;
mod period;
mod stats;

pub use channel::Channel;
pub use lang::Lang;
pub use money::{format_count, format_decimal, format_money, format_pct, Cents};
pub use period::{day_no, local_day, parse_date, Period};
pub use stats::median;
