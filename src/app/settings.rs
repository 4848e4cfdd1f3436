//! A server's settings, typed and checked: scoring rules, seconds per question, the
//! instructor role, anonymous leaderboards, the debate rubric, phase times and points, what
//! prompt answers are worth, and spaced practice (desired retention, the daily reminder).
//!
//! Invariant: settings are checked before they are stored and again when read (a row edited
//! by hand cannot break scoring); a server without settings gets the defaults. They live in
//! the store as one JSON object, so a later version can add a field without a migration.

use serde::{Deserialize, Serialize};

use crate::app::error::UserError;
use crate::debate::{DebatePoints, Rubric, Timing};
use crate::scoring::Rules;

/// The shortest and longest time a live question may stay open, in seconds.
pub const SECONDS: std::ops::RangeInclusive<u32> = 5..=900;

/// One server's settings. Every field has a default, so a stored object may name only what
/// it changes; fields this version does not know (written by a newer one) are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Points by difficulty, speed and streak bonuses (see `scoring`).
    pub scoring: Rules,
    /// How long a live question stays open when the instructor does not say.
    pub default_seconds: u32,
    /// Members with this role (a Discord role id) may run rounds, besides those with Manage Server.
    pub instructor_role: Option<String>,
    /// Leaderboards show "Student 1", "Student 2"… instead of names.
    pub anonymous_leaderboard: bool,
    /// Debates: the rubric, the phase times, the points.
    pub debate: DebateSettings,
    /// Argument prompts: how answers are marked and what they are worth.
    pub prompts: PromptSettings,
    /// Spaced practice: the desired retention FSRS schedules for, the daily reminder.
    pub practice: PracticeSettings,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            scoring: Rules::default(),
            default_seconds: 30,
            instructor_role: None,
            anonymous_leaderboard: false,
            debate: DebateSettings::default(),
            prompts: PromptSettings::default(),
            practice: PracticeSettings::default(),
        }
    }
}

/// A server's spaced practice: how much students should still recall when an item comes
/// due, and the opt-in daily reminder of reviews due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PracticeSettings {
    /// The desired retention in percent (FSRS schedules each review for when recall falls to
    /// it): 70 to 97, 90 by default. Higher means more reviews.
    pub retention_percent: u32,
    /// Post "N students have reviews due today" once a day.
    pub reminder: bool,
    /// The channel the reminder goes to (a Discord channel id).
    pub reminder_channel: Option<String>,
    /// The hour (UTC, 0 to 23) from which the day's reminder may go out.
    pub reminder_hour: u32,
}

impl Default for PracticeSettings {
    fn default() -> PracticeSettings {
        PracticeSettings { retention_percent: 90, reminder: false, reminder_channel: None, reminder_hour: 17 }
    }
}

impl PracticeSettings {
    /// The scheduler for this server's desired retention.
    pub fn scheduler(&self) -> Result<crate::memory::Scheduler, UserError> {
        crate::memory::Scheduler::new(f64::from(self.retention_percent) / 100.0).map_err(|_| {
            let range = crate::memory::RETENTION_RANGE;
            UserError::BadSetting(format!(
                "the desired retention must be between {:.0} and {:.0} percent, not {} (90, the default, means students still recall 90 % of items when they come due)",
                range.start() * 100.0,
                range.end() * 100.0,
                self.retention_percent
            ))
        })
    }

    fn check(&self) -> Result<(), UserError> {
        self.scheduler()?;
        if self.reminder_hour > 23 {
            return Err(UserError::BadSetting(format!("the reminder's hour is 0 to 23 (UTC), not {}", self.reminder_hour)));
        }
        if self.reminder && self.reminder_channel.is_none() {
            return Err(UserError::BadSetting("the daily reminder needs a channel to post in: set reminder_channel too".into()));
        }
        Ok(())
    }
}

/// A server's debate settings; each debate keeps the rubric and times it started with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DebateSettings {
    /// What speakers are scored on (default: use of evidence, reasoning, rebuttal, clarity; 1 to 5).
    pub rubric: Rubric,
    /// Default phase times, in seconds; an instructor may change them for one debate.
    pub timing: Timing,
    pub points: DebatePoints,
}

/// A server's prompt settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PromptSettings {
    /// Each rubric line of a prompt is marked from 0 (missing) to this (fully met).
    pub top_mark: u8,
    /// Points per mark.
    pub points_per_mark: u32,
}

impl Default for PromptSettings {
    /// Lines marked 0 (missing), 1 (partly) or 2 (fully met), 5 points a mark: a prompt
    /// of five lines answered fully is worth 50, about two hard quiz questions on a streak.
    fn default() -> PromptSettings {
        PromptSettings { top_mark: 2, points_per_mark: 5 }
    }
}

/// What an instructor may change at once; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsChange {
    pub default_seconds: Option<u32>,
    pub speed_bonus: Option<bool>,
    /// `Some(None)` clears the role.
    pub instructor_role: Option<Option<String>>,
    pub anonymous_leaderboard: Option<bool>,
    pub debate_rubric: Option<Rubric>,
    pub debate_timing: Option<Timing>,
    /// Spaced practice: desired retention in percent, the reminder on or off, its channel, its hour (UTC).
    pub retention_percent: Option<u32>,
    pub reminder: Option<bool>,
    pub reminder_channel: Option<String>,
    pub reminder_hour: Option<u32>,
}

impl Settings {
    /// Reads stored settings; `None` (a server never configured) gives the defaults.
    pub fn from_json(json: Option<&str>) -> Result<Settings, String> {
        let Some(json) = json else { return Ok(Settings::default()) };
        let settings: Settings = serde_json::from_str(json).map_err(|e| format!("the stored settings are not valid: {e}"))?;
        settings.check().map_err(|e| e.to_string())?;
        Ok(settings)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    /// Checks every setting; the message says which and what is allowed.
    pub fn check(&self) -> Result<(), UserError> {
        self.scoring.check().map_err(|e| UserError::BadSetting(format!("scoring: {e}")))?;
        if !SECONDS.contains(&self.default_seconds) {
            return Err(UserError::BadSetting(format!(
                "seconds per question must be between {} and {}, not {}",
                SECONDS.start(),
                SECONDS.end(),
                self.default_seconds
            )));
        }
        self.debate.rubric.check().map_err(|e| UserError::BadSetting(format!("debate rubric: {e}")))?;
        self.debate.timing.check().map_err(|e| UserError::BadSetting(format!("debate times: {e}")))?;
        self.debate.points.check().map_err(UserError::BadSetting)?;
        if !(1..=5).contains(&self.prompts.top_mark) {
            return Err(UserError::BadSetting(format!("a prompt's rubric lines are marked from 0 to a top mark of 1 to 5, not {}", self.prompts.top_mark)));
        }
        self.practice.check()?;
        if self.prompts.points_per_mark > crate::debate::MAX_DEBATE_POINTS {
            return Err(UserError::BadSetting(format!(
                "points per prompt mark must be at most {}, not {}",
                crate::debate::MAX_DEBATE_POINTS,
                self.prompts.points_per_mark
            )));
        }
        Ok(())
    }

    /// These settings with `change` applied and checked.
    pub fn apply(&self, change: &SettingsChange) -> Result<Settings, UserError> {
        let mut s = self.clone();
        if let Some(seconds) = change.default_seconds {
            s.default_seconds = seconds;
        }
        if let Some(on) = change.speed_bonus {
            s.scoring.speed_bonus = on;
        }
        if let Some(role) = &change.instructor_role {
            s.instructor_role = role.clone();
        }
        if let Some(anonymous) = change.anonymous_leaderboard {
            s.anonymous_leaderboard = anonymous;
        }
        if let Some(rubric) = &change.debate_rubric {
            s.debate.rubric = rubric.clone();
        }
        if let Some(timing) = change.debate_timing {
            s.debate.timing = timing;
        }
        let p = &mut s.practice;
        p.retention_percent = change.retention_percent.unwrap_or(p.retention_percent);
        p.reminder = change.reminder.unwrap_or(p.reminder);
        p.reminder_channel = change.reminder_channel.clone().or(p.reminder_channel.take());
        p.reminder_hour = change.reminder_hour.unwrap_or(p.reminder_hour);
        s.check()?;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_without_settings_gets_the_defaults_and_partial_objects_keep_them() {
        assert_eq!(Settings::from_json(None).unwrap(), Settings::default());
        let s = Settings::from_json(Some(r#"{"scoring": {"speed_bonus": false}}"#)).unwrap();
        assert!(!s.scoring.speed_bonus);
        assert_eq!(s.default_seconds, 30);
        assert!(Settings::from_json(Some(r#"{"scoring": {"points": [30, 20, 10]}}"#)).is_err(), "points that fall with difficulty are refused");
        assert_eq!(Settings::from_json(Some(r#"{"language": "en"}"#)).unwrap(), Settings::default(), "a newer version's field is ignored");
    }

    #[test]
    fn changes_are_checked_before_they_apply() {
        let s = Settings::default();
        let err = s.apply(&SettingsChange { default_seconds: Some(2), ..Default::default() }).unwrap_err();
        assert_eq!(err.to_string(), "That setting is not allowed: seconds per question must be between 5 and 900, not 2.");
        let s = s
            .apply(&SettingsChange {
                speed_bonus: Some(false),
                instructor_role: Some(Some("42".into())),
                anonymous_leaderboard: Some(true),
                default_seconds: Some(45),
                ..Default::default()
            })
            .unwrap();
        assert_eq!((s.scoring.speed_bonus, s.instructor_role.as_deref(), s.anonymous_leaderboard, s.default_seconds), (false, Some("42"), true, 45));
        assert_eq!(Settings::from_json(Some(&s.to_json())).unwrap(), s);
    }

    #[test]
    fn spaced_practice_settings_are_checked() {
        let s = Settings::default();
        assert_eq!(s.practice.scheduler().unwrap().retention(), 0.9);
        let err = s.apply(&SettingsChange { retention_percent: Some(99), ..Default::default() }).unwrap_err();
        assert_eq!(
            err.to_string(),
            "That setting is not allowed: the desired retention must be between 70 and 97 percent, not 99 (90, the default, means students still recall 90 % of items when they come due)."
        );
        let err = s.apply(&SettingsChange { reminder: Some(true), ..Default::default() }).unwrap_err();
        assert!(err.to_string().contains("needs a channel"), "{err}");
        let err = s.apply(&SettingsChange { reminder_hour: Some(24), ..Default::default() }).unwrap_err();
        assert!(err.to_string().contains("0 to 23"), "{err}");
        let on = SettingsChange {
            retention_percent: Some(85),
            reminder: Some(true),
            reminder_channel: Some("7".into()),
            reminder_hour: Some(8),
            ..Default::default()
        };
        let s = s.apply(&on).unwrap();
        assert_eq!(s.practice, PracticeSettings { retention_percent: 85, reminder: true, reminder_channel: Some("7".into()), reminder_hour: 8 });
        assert_eq!(Settings::from_json(Some(&s.to_json())).unwrap(), s);
    }

    #[test]
    fn debate_and_prompt_settings_are_checked_and_default_sensibly() {
        let s = Settings::from_json(Some(r#"{"debate": {"points": {"win": 5}}}"#)).unwrap();
        assert_eq!((s.debate.points.win, s.debate.points.per_mark), (5, 1), "a partial object keeps the other defaults");
        assert_eq!(s.debate.rubric.criteria, ["Use of evidence", "Reasoning", "Rebuttal", "Clarity"]);
        assert_eq!(s.debate.rubric.max, 5);
        assert_eq!((s.prompts.top_mark, s.prompts.points_per_mark), (2, 5));
        let rubric = Rubric { criteria: vec!["Evidence".into(), "evidence".into()], max: 5 };
        let err = Settings::default().apply(&SettingsChange { debate_rubric: Some(rubric), ..Default::default() }).unwrap_err();
        assert_eq!(err.to_string(), "That setting is not allowed: debate rubric: the criterion \"evidence\" appears twice in the rubric.");
        let err = Settings::default()
            .apply(&SettingsChange { debate_timing: Some(Timing::default().with(crate::debate::Phase::Opening, 1)), ..Default::default() })
            .unwrap_err();
        assert_eq!(err.to_string(), "That setting is not allowed: debate times: Opening speeches must last between 30 and 604800 seconds, not 1.");
        assert!(Settings::from_json(Some(r#"{"prompts": {"top_mark": 0}}"#)).is_err());
        let custom = Rubric { criteria: vec!["Evidence".into(), "Logic".into()], max: 3 };
        let s = Settings::default().apply(&SettingsChange { debate_rubric: Some(custom.clone()), ..Default::default() }).unwrap();
        assert_eq!(Settings::from_json(Some(&s.to_json())).unwrap().debate.rubric, custom);
    }
}
