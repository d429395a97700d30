//! `ask "<question>"`: `/insight` on the terminal. The question goes through the same
//! [`parse_question`] and [`answer`] as in Slack; the reply is printed as text or as the
//! Block Kit JSON the bot would post, and its charts are written to `--out`.

use super::App;
use crate::cli::{AskArgs, AskFormat};
use crate::insight::{answer, parse_question};
use crate::render::message_text;
use crate::reply::Visibility;

pub async fn run(app: &App, args: AskArgs) -> anyhow::Result<()> {
    let text = args.question.join(" ");
    let question = parse_question(&text, &app.registry, app.today());
    tracing::debug!(?question, "parsed");
    let reply = answer(app, &question).await?;
    if reply.visibility == Visibility::Ephemeral {
        eprintln!("(in Slack, only the person who asked sees this answer)");
    }
    match args.format {
        AskFormat::Text => {
            let parts: Vec<String> = reply.messages.iter().map(message_text).collect();
            print!("{}", parts.join("\n"));
        }
        AskFormat::Blocks => super::print_messages(&reply.messages)?,
    }
    if let Some(dir) = args.out {
        for path in crate::charts::write_png_files(&reply.charts, &dir)? {
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(())
}
