//! What a student sees when they type an answer: read, judged, or told what to type.
//!
//! Every case goes through one helper, `check(question, typed, expected)`, where
//! `expected` is "right", "wrong", "partial N%" or the exact message shown.

use agora::bank::{Answer, Origin, Question, Scale};
use agora::quiz::{Presentation, Response, judge, parse_number, parse_response, presentation};

/// A question as shown to a student: the bank's question and its choice order.
struct Shown {
    q: Question,
    display: Presentation,
}

fn question(id: &str, difficulty: u8, answer: Answer) -> Question {
    Question {
        id: id.into(),
        origin: Origin::Written,
        topics: vec!["trade-figures".into()],
        difficulty,
        prompt: format!("According to the paper, … ({id})"),
        answer,
        explanation: "Because the paper says so.".into(),
        citations: vec!["s5-p3-economies".into()],
    }
}

/// Shown in the bank's order.
fn plain(answer: Answer) -> Shown {
    let q = question("plain", 1, answer);
    let n = match &q.answer {
        Answer::Single { choices, .. } | Answer::Multi { choices, .. } => choices.len(),
        Answer::Ordering { items } => items.len(),
        _ => 0,
    };
    Shown { q, display: Presentation::identity(n) }
}

/// Shown in the given order: `order[shown] = bank index`.
fn shuffled(answer: Answer, order: &[usize]) -> Shown {
    Shown { q: question("shuffled", 2, answer), display: Presentation::from_order(order.to_vec()).unwrap() }
}

fn strings(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

fn china_needs() -> Answer {
    Answer::Single {
        choices: strings(&["Raw materials, particularly energy", "Industrial and electronic equipment", "Investment in infrastructure", "Military technology"]),
        correct: 0,
    }
}

fn factors() -> Answer {
    Answer::Multi {
        choices: strings(&["Complementary economies", "The idea of a multipolar world order", "A formal defence treaty", "Shared membership of NATO"]),
        correct: vec![0, 1],
    }
}

fn ladder() -> Answer {
    Answer::Ordering {
        items: strings(&[
            "Constructive partnership (1993)",
            "Strategic Partnership of Cooperation (1996)",
            "Comprehensive Deepening Strategic Partnership (2010)",
            "Comprehensive Strategic Partnership of Coordination for a New Era (2019)",
        ]),
    }
}

fn figure(value: f64, unit: &str, tolerance: f64, scale: Scale) -> Answer {
    Answer::Numeric { value, unit: unit.into(), tolerance, scale }
}

fn short(accepted: &[&str]) -> Answer {
    Answer::Short { accepted: strings(accepted) }
}

/// Reads `typed` as the student would type it and compares what they would see.
fn check(shown: &Shown, typed: &str, expected: &str) {
    let seen = match parse_response(&shown.q, &shown.display, typed) {
        Err(e) => e.to_string(),
        Ok(r) => {
            let v = judge(&shown.q, &r);
            assert!((0.0..=1.0).contains(&v.credit), "credit {} out of range", v.credit);
            assert_eq!(v.correct, v.credit == 1.0, "correct exactly at full credit: {v:?}");
            match v.credit {
                _ if v.correct => "right".to_owned(),
                0.0 => "wrong".to_owned(),
                c => format!("partial {:.0}%", c * 100.0),
            }
        }
    };
    assert_eq!(seen, expected, "typed {typed:?} for {:?}", shown.q.answer);
}

#[test]
fn single_choice() {
    let q = plain(china_needs());
    for (typed, expected) in [
        ("a", "right"),
        ("A", "right"),
        (" (A) ", "right"),
        ("a.", "right"),
        ("b", "wrong"),
        ("D", "wrong"),
        ("e", "There is no choice E: answer with letters from A to D."),
        ("", "Answer with one letter from A to D."),
        ("a, b", "Answer with one letter from A to D."),
        ("ab", "Answer with one letter from A to D."),
        ("1", "Answer with one letter from A to D."),
        ("Raw materials", "Answer with one letter from A to D."),
        ("é", "Answer with one letter from A to D."),
    ] {
        check(&q, typed, expected);
    }
}

#[test]
fn letters_are_read_as_shown_not_as_written() {
    // Shown as C, A, D, B of the bank: the right answer (bank A) is the second letter.
    let q = shuffled(china_needs(), &[2, 0, 3, 1]);
    check(&q, "b", "right");
    check(&q, "a", "wrong");
    let q = shuffled(factors(), &[3, 1, 2, 0]);
    check(&q, "B, D", "right");
    check(&q, "b", "partial 50%");
    check(&q, "a b", "wrong");
    let q = shuffled(ladder(), &[2, 0, 3, 1]);
    check(&q, "B D A C", "right");
    check(&q, "A B C D", "wrong");
}

#[test]
fn presentations_from_a_seed_round_trip() {
    // Whatever the shuffle, typing the shown letter of the right choice is right.
    for seed in 0..20 {
        let q = question("econ-china-needs", 1, china_needs());
        let display = presentation(&q, seed);
        let right = display.shown(0).unwrap();
        let shown = Shown { q, display };
        check(&shown, &char::from(b'a' + right as u8).to_string(), "right");
        check(&shown, &char::from(b'a' + ((right + 1) % 4) as u8).to_string(), "wrong");
    }
}

#[test]
fn true_false() {
    let q = plain(Answer::TrueFalse { correct: false });
    for (typed, expected) in [
        ("false", "right"),
        ("F", "right"),
        ("no", "right"),
        ("False.", "right"),
        ("  n ", "right"),
        ("true", "wrong"),
        ("t", "wrong"),
        ("Yes!", "wrong"),
        ("maybe", "Answer true or false (or T / F)."),
        ("", "Answer true or false (or T / F)."),
        ("a", "Answer true or false (or T / F)."),
    ] {
        check(&q, typed, expected);
    }
}

#[test]
fn multiple_select_with_partial_credit() {
    let q = plain(factors()); // A and B are right
    for (typed, expected) in [
        ("A, B", "right"),
        ("b a", "right"),
        ("AB", "right"),
        ("a and b", "right"),
        ("A, B, A", "right"),
        ("A", "partial 50%"),
        ("A, B, C", "partial 50%"),
        ("A C", "wrong"),
        ("A B C D", "wrong"),
        ("C", "wrong"),
        ("", "Answer with one or more letters from A to D, for example \"A, C\"."),
        ("A, 2", "Answer with one or more letters from A to D, for example \"A, C\"."),
        ("A, F", "There is no choice F: answer with letters from A to D."),
    ] {
        check(&q, typed, expected);
    }
}

#[test]
fn ordering() {
    let q = plain(ladder());
    for (typed, expected) in [
        ("A B C D", "right"),
        ("a, b, c, d", "right"),
        ("ABCD", "right"),
        ("B A C D", "partial 67%"),
        ("A B D C", "partial 67%"),
        ("D C B A", "wrong"),
        ("C D A B", "wrong"),
        ("A B C", "You left out D: put every letter from A to D in order, each once."),
        ("A C", "You left out B and D: put every letter from A to D in order, each once."),
        ("A B B C D", "You gave B twice: put every letter from A to D in order, each once."),
        ("A B C D E", "There is no choice E: answer with letters from A to D."),
        ("", "Put every letter from A to D in order, each once, for example \"D C B A\"."),
    ] {
        check(&q, typed, expected);
    }
}

#[test]
fn numbers_in_billions() {
    let q = plain(figure(190.0, "US$ billion", 1.0, Scale::Billion));
    for (typed, expected) in [
        ("190", "right"),
        ("190 billion", "right"),
        ("$190bn", "right"),
        ("US$190 billion", "right"),
        ("USD 190 bn", "right"),
        ("190b", "right"),
        ("190,000,000,000", "right"),
        ("190 000 000 000", "right"),
        ("190000000000", "right"),
        ("0.19 trillion", "right"),
        ("190,000 million", "right"),
        ("190.5", "right"),
        ("189.2", "right"),
        ("191", "right"),
        ("about 190 billion dollars", "right"),
        ("192", "wrong"),
        ("19", "wrong"),
        ("190 million", "wrong"),
        ("-190", "wrong"),
        ("190 or 200", "Answer with one number (in US$ billion), for example \"12.5\"."),
        ("a lot", "Answer with one number (in US$ billion), for example \"12.5\"."),
        ("", "Answer with one number (in US$ billion), for example \"12.5\"."),
    ] {
        check(&q, typed, expected);
    }
    // The edge of the tolerance counts, despite binary fractions.
    let q = plain(figure(244.8, "US$ billion", 0.5, Scale::Billion));
    check(&q, "244.3", "right");
    check(&q, "245.3", "right");
    check(&q, "244,8", "right");
    check(&q, "245.31", "wrong");
}

#[test]
fn numbers_in_other_scales() {
    let q = plain(figure(190.0, "million tonnes", 0.0, Scale::Million));
    check(&q, "190 million", "right");
    check(&q, "190m", "right");
    check(&q, "190,000,000", "right");
    check(&q, "0.19 billion", "right");
    check(&q, "190 billion", "wrong");

    let q = plain(figure(1.9, "%", 0.05, Scale::One));
    check(&q, "1.9%", "right");
    check(&q, "1.9 %", "right");
    check(&q, "1.9 percent", "right");
    check(&q, "19%", "wrong");

    let q = plain(figure(2019.0, "", 0.0, Scale::One));
    check(&q, "2019", "right");
    check(&q, "2,019", "right");
    check(&q, "2018", "wrong");
    check(&q, "in 2019-2020", "Answer with one number, for example \"12.5\".");
}

#[test]
fn parse_number_directly() {
    let cases: &[(&str, Scale, Option<f64>)] = &[
        ("190", Scale::Billion, Some(190.0)),
        ("1,234.5", Scale::One, Some(1234.5)),
        ("1.5k", Scale::One, Some(1500.0)),
        ("2.5e3", Scale::One, Some(2500.0)),
        ("−4", Scale::One, Some(-4.0)),
        (".5", Scale::One, Some(0.5)),
        ("190.000.000", Scale::Million, Some(190.0)),
        ("1e999", Scale::One, None),
        ("12,34,5", Scale::One, None),
        ("nan", Scale::One, None),
        ("inf", Scale::One, None),
        ("$", Scale::One, None),
        ("", Scale::Billion, None),
    ];
    for &(text, scale, expected) in cases {
        assert_eq!(parse_number(text, scale), expected, "{text:?} in {scale:?}");
    }
    assert_eq!(parse_number(&"9".repeat(500), Scale::One), None, "absurdly long input");
}

#[test]
fn short_answers() {
    let q = plain(short(&["limits", "no limits"]));
    for (typed, expected) in [
        ("limits", "right"),
        ("Limits", "right"),
        ("LIMITS!", "right"),
        ("no limits", "right"),
        ("No-limits.", "right"),
        ("  no   limits ", "right"),
        ("\"limits\"", "right"),
        ("limts", "right"),
        ("lmiits", "right"),
        ("limit", "right"),
        ("lim", "wrong"),
        ("boundaries", "wrong"),
        ("", "Type your answer."),
        ("?!", "Type your answer."),
    ] {
        check(&q, typed, expected);
    }

    let q = plain(short(&["chair"]));
    check(&q, "chair", "right");
    check(&q, "chiar", "right");
    check(&q, "chairs", "right");
    check(&q, "air", "wrong");
    check(&q, "hair", "wrong");
    check(&q, "chairman", "wrong");

    let q = plain(short(&["multipolar world order", "multipolarity"]));
    check(&q, "the multipolar world order", "right");
    check(&q, "multipolar wrold ordr", "right");
    check(&q, "Multipolarity", "right");
    check(&q, "multipolar world", "wrong");
    check(&q, "unipolar world order", "wrong");

    let q = plain(short(&["1996"]));
    check(&q, "1996", "right");
    check(&q, "1997", "wrong");
    let q = plain(short(&["Shanghai Cooperation Organisation", "SCO"]));
    check(&q, "sco", "right");
    check(&q, "S.C.O.", "right");
    check(&q, "shanghai cooperation organization", "right");
    check(&q, "sca", "wrong");
    check(&q, &"x".repeat(201), "That answer is too long: keep it under 200 characters.");
}

#[test]
fn wrong_shapes_are_simply_wrong() {
    let questions = [
        plain(china_needs()),
        plain(Answer::TrueFalse { correct: true }),
        plain(factors()),
        plain(figure(190.0, "US$ billion", 1.0, Scale::Billion)),
        plain(ladder()),
        plain(short(&["limits"])),
    ];
    let responses = [
        Response::Choice(0),
        Response::Bool(true),
        Response::Choices(vec![0, 1]),
        Response::Number(190.0),
        Response::Order(vec![0, 1, 2, 3]),
        Response::Text("limits".into()),
    ];
    for (i, shown) in questions.iter().enumerate() {
        for (j, r) in responses.iter().enumerate() {
            let v = judge(&shown.q, r);
            assert_eq!(v.correct, i == j, "{:?} against {r:?}", shown.q.answer);
        }
    }
    // Out-of-range and malformed responses of the right shape.
    let odd = [
        (&questions[0], Response::Choice(99)),
        (&questions[2], Response::Choices(vec![])),
        (&questions[2], Response::Choices(vec![0, 1, 1000])),
        (&questions[3], Response::Number(f64::NAN)),
        (&questions[3], Response::Number(f64::INFINITY)),
        (&questions[4], Response::Order(vec![0, 1, 2])),
        (&questions[4], Response::Order(vec![0, 0, 1, 2])),
        (&questions[4], Response::Order(vec![0, 1, 2, 7])),
        (&questions[5], Response::Text(String::new())),
    ];
    for (shown, r) in odd {
        let v = judge(&shown.q, &r);
        assert!(!v.correct && (0.0..1.0).contains(&v.credit), "{r:?} gave {v:?}");
    }
    // An extra wrong pick beyond the choices still costs.
    assert_eq!(judge(&questions[2].q, &Response::Choices(vec![0, 1, 1000])).credit, 0.5);
}
