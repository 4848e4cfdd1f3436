//! How Discord's limits (the table in `crate::limits`) bear on an item of the bank.
//!
//! Invariant: an item that passes `render_problems` fits one Discord message: the
//! prompt and lettered choices in the embed description, the explanation and every
//! cited quote in embed fields, one button (or menu option) per choice.

use super::model::Question;
use crate::limits::{CUSTOM_ID, DESCRIPTION, EMBED_TOTAL, FIELD_VALUE, SELECT_OPTIONS};

/// Item, passage, motion and prompt ids: room for `kind:round:item:choice` in a
/// [`CUSTOM_ID`]-byte custom_id.
pub const MAX_ID: usize = 48;
const _: () = assert!(MAX_ID < CUSTOM_ID / 2);
/// Choices of a question: one button each (five rows of five), or one option each of a
/// select menu.
pub const MAX_CHOICES: usize = SELECT_OPTIONS;
/// What the title, footer and field names take at most (fixed text plus an anchor).
const CHROME: usize = 300;

/// What would not fit, in words an author can act on; empty when the item fits.
pub fn render_problems(q: &Question, quotes: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let labels = q.answer.labels();
    let description = q.prompt.chars().count() + labels.iter().map(|l| l.chars().count() + 4).sum::<usize>();
    if description > DESCRIPTION {
        out.push(format!("the prompt and choices take {description} characters; an embed description holds {DESCRIPTION}"));
    }
    let explanation = q.explanation.chars().count();
    if explanation > FIELD_VALUE {
        out.push(format!("the explanation is {explanation} characters; an embed field holds {FIELD_VALUE}"));
    }
    if quotes.len() > 20 {
        out.push(format!("{} citations; one message shows at most 20", quotes.len()));
    }
    let total = description + explanation + quotes.iter().map(|q| q.chars().count() + 2).sum::<usize>() + CHROME;
    if total > EMBED_TOTAL {
        out.push(format!("the question with its explanation and quotes takes about {total} characters; one message's embeds hold {EMBED_TOTAL}"));
    }
    out
}
