//! Discord's limits, as they bear on how a question is rendered.
//!
//! Invariant: an item that passes `render_problems` fits one Discord message: the
//! prompt and lettered choices in the embed description, the explanation and every
//! cited quote in embed fields, one button (or menu option) per choice.

use super::model::Question;

/// Item, passage, motion and prompt ids: room for `kind:round:item:choice` in a 100-character custom_id.
pub const MAX_ID: usize = 48;
/// A button label.
pub const MAX_LABEL: usize = 80;
/// Buttons in a message (5 rows of 5), or options in a select menu.
pub const MAX_CHOICES: usize = 25;
/// An embed field's value.
pub const MAX_FIELD: usize = 1024;
/// An embed title.
pub const MAX_TITLE: usize = 256;
/// An embed description.
pub const MAX_DESCRIPTION: usize = 4096;
/// All embeds of one message together.
pub const MAX_EMBED_TOTAL: usize = 6000;
/// What the title, footer and field names take at most (fixed text plus an anchor).
const CHROME: usize = 300;

/// What would not fit, in words an author can act on; empty when the item fits.
pub fn render_problems(q: &Question, quotes: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let labels = q.answer.labels();
    let description = q.prompt.chars().count() + labels.iter().map(|l| l.chars().count() + 4).sum::<usize>();
    if description > MAX_DESCRIPTION {
        out.push(format!("the prompt and choices take {description} characters; an embed description holds {MAX_DESCRIPTION}"));
    }
    let explanation = q.explanation.chars().count();
    if explanation > MAX_FIELD {
        out.push(format!("the explanation is {explanation} characters; an embed field holds {MAX_FIELD}"));
    }
    if quotes.len() > 20 {
        out.push(format!("{} citations; one message shows at most 20", quotes.len()));
    }
    let total = description + explanation + quotes.iter().map(|q| q.chars().count() + 2).sum::<usize>() + CHROME;
    if total > MAX_EMBED_TOTAL {
        out.push(format!("the question with its explanation and quotes takes about {total} characters; one message's embeds hold {MAX_EMBED_TOTAL}"));
    }
    out
}
