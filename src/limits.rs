//! Discord's limits: the one table (from Discord's API documentation, and
//! `shared/DISCORD-TESTING.md`), in characters unless said otherwise.
//!
//! Invariant: no other module writes one of these numbers. The bank's checker refuses an item
//! that would not fit them (`bank::limits`), and the Discord face renders within them and
//! checks every message against them (`discord::render::Reply::problems`).

/// A message's content.
pub const CONTENT: usize = 2000;
/// Embeds in one message.
pub const EMBEDS: usize = 10;
/// An embed title.
pub const TITLE: usize = 256;
/// An embed description.
pub const DESCRIPTION: usize = 4096;
/// Fields in one embed.
pub const FIELDS: usize = 25;
/// An embed field's name.
pub const FIELD_NAME: usize = 256;
/// An embed field's value.
pub const FIELD_VALUE: usize = 1024;
/// An embed footer.
pub const FOOTER: usize = 2048;
/// All embeds of one message together.
pub const EMBED_TOTAL: usize = 6000;
/// Rows of components in a message.
pub const ROWS: usize = 5;
/// Buttons in one row.
pub const BUTTONS_PER_ROW: usize = 5;
/// Options in a select menu.
pub const SELECT_OPTIONS: usize = 25;
/// A select menu option's label, and its value.
pub const SELECT_OPTION: usize = 100;
/// A select menu's placeholder.
pub const SELECT_PLACEHOLDER: usize = 150;
/// A modal's title.
pub const MODAL_TITLE: usize = 45;
/// A modal text input's label.
pub const INPUT_LABEL: usize = 45;
/// A modal text input's placeholder.
pub const INPUT_PLACEHOLDER: usize = 100;
/// What one modal text input takes.
pub const INPUT_VALUE: usize = 4000;
/// A component's `custom_id`, in bytes.
pub const CUSTOM_ID: usize = 100;
/// A button label.
pub const LABEL: usize = 80;
/// Answers to one autocomplete request.
pub const AUTOCOMPLETE_CHOICES: usize = 25;
/// An autocomplete answer's name.
pub const CHOICE_NAME: usize = 100;
/// An autocomplete answer's value.
pub const CHOICE_VALUE: usize = 100;
