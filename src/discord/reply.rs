//! Turning a rendered `Reply` into the builders serenity and poise send.
//!
//! Invariant: this is the one place messages are built, and every builder it returns carries
//! `allowed_mentions` with an empty `parse` list and no users or roles: nothing the bot sends
//! can ping anyone, whatever a student typed or a display name holds.

use poise::serenity_prelude as serenity;
use serenity::{CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed, CreateEmbedFooter};

use super::render::{Button, ButtonStyle, Embed, Menu, Reply};

/// Mentions nobody: `{"parse": [], "users": [], "roles": []}`.
pub fn no_pings() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
}

pub fn embed(e: Embed) -> CreateEmbed {
    let mut out = CreateEmbed::new();
    if let Some(t) = e.title {
        out = out.title(t);
    }
    if let Some(d) = e.description {
        out = out.description(d);
    }
    if let Some(f) = e.footer {
        out = out.footer(CreateEmbedFooter::new(f));
    }
    if let Some(c) = e.colour {
        out = out.colour(c);
    }
    out.fields(e.fields.into_iter().map(|f| (f.name, f.value, f.inline)))
}

fn button(b: Button) -> CreateButton {
    let style = match b.style {
        ButtonStyle::Primary => serenity::ButtonStyle::Primary,
        ButtonStyle::Secondary => serenity::ButtonStyle::Secondary,
        ButtonStyle::Success => serenity::ButtonStyle::Success,
        ButtonStyle::Danger => serenity::ButtonStyle::Danger,
    };
    CreateButton::new(b.custom_id).label(b.label).style(style).disabled(b.disabled)
}

fn menu(m: Menu) -> serenity::CreateSelectMenu {
    let options = m.options.into_iter().map(|(label, value)| serenity::CreateSelectMenuOption::new(label, value)).collect();
    serenity::CreateSelectMenu::new(m.custom_id, serenity::CreateSelectMenuKind::String { options })
        .placeholder(m.placeholder)
        .min_values(m.min)
        .max_values(m.max)
}

/// The menu's row, then the rows of buttons.
fn rows(r: &mut Reply) -> Vec<CreateActionRow> {
    let menu = r.menu.take().map(|m| CreateActionRow::SelectMenu(menu(m)));
    menu.into_iter().chain(std::mem::take(&mut r.rows).into_iter().map(|r| CreateActionRow::Buttons(r.into_iter().map(button).collect()))).collect()
}

/// A reply to a command, through poise (first response, follow-up or edit as poise decides).
pub fn command_reply(mut r: Reply) -> poise::CreateReply {
    let components = rows(&mut r);
    let mut out = poise::CreateReply::default().allowed_mentions(no_pings()).ephemeral(r.ephemeral);
    if let Some(c) = r.content {
        out = out.content(c);
    }
    for e in r.embeds {
        out = out.embed(embed(e));
    }
    // Always set, so an edit that drops the buttons removes them.
    out.components(components)
}

/// The message of an interaction response (type 4 reply, or type 7 update of a clicked message).
pub fn interaction_message(mut r: Reply) -> serenity::CreateInteractionResponseMessage {
    let components = rows(&mut r);
    let mut out = serenity::CreateInteractionResponseMessage::new().allowed_mentions(no_pings()).ephemeral(r.ephemeral);
    if let Some(c) = r.content {
        out = out.content(c);
    }
    out.embeds(r.embeds.into_iter().map(embed).collect()).components(components)
}

/// A message the bot posts in a channel on its own (not as an interaction response).
pub fn channel_message(mut r: Reply) -> serenity::CreateMessage {
    let components = rows(&mut r);
    let mut out = serenity::CreateMessage::new().allowed_mentions(no_pings());
    if let Some(c) = r.content {
        out = out.content(c);
    }
    out.embeds(r.embeds.into_iter().map(embed).collect()).components(components)
}

/// An edit of a message the bot posted in a channel.
pub fn channel_edit(mut r: Reply) -> serenity::EditMessage {
    let components = rows(&mut r);
    let mut out = serenity::EditMessage::new().allowed_mentions(no_pings());
    if let Some(c) = r.content {
        out = out.content(c);
    }
    out.embeds(r.embeds.into_iter().map(embed).collect()).components(components)
}

/// The edit that fills in a deferred interaction response (its "thinking…" message).
pub fn interaction_edit(mut r: Reply) -> serenity::EditInteractionResponse {
    let components = rows(&mut r);
    let mut out = serenity::EditInteractionResponse::new().allowed_mentions(no_pings());
    if let Some(c) = r.content {
        out = out.content(c);
    }
    out.embeds(r.embeds.into_iter().map(embed).collect()).components(components)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builder_mentions_nobody() {
        let r = Reply { content: Some("@everyone <@1> <@&2>".into()), ..Reply::default() };
        let bodies = [
            serde_json::to_value(interaction_message(r.clone())).unwrap(),
            serde_json::to_value(channel_message(r.clone())).unwrap(),
            serde_json::to_value(channel_edit(r.clone())).unwrap(),
            serde_json::to_value(interaction_edit(r)).unwrap(),
        ];
        for body in bodies {
            assert_eq!(body["allowed_mentions"], serde_json::json!({"parse": [], "users": [], "roles": []}), "{body}");
        }
    }
}
