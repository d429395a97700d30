//! Rendering. (Placeholder until the renderer lands.)
use crate::cockpit::Cockpit;
use crate::domain::Lang;
#[derive(serde::Serialize)]
pub struct Message {
    pub text: String,
}
pub fn cockpit_message(_c: &Cockpit, _l: Lang) -> Vec<Message> {
    vec![]
}
pub fn cockpit_text(c: &Cockpit, _l: Lang) -> String {
    format!("{}\n", serde_json::to_string_pretty(c).unwrap_or_default())
}
