//! How long judging one answer takes, per kind of question (target: under 5 µs).
//!
//! Run with `cargo bench --bench judge`. Each benchmark judges a realistic answer
//! (already read from text) against a question shaped like the bank's.

use std::hint::black_box;

use agora::bank::{Answer, Origin, Question, Scale};
use agora::quiz::{Response, judge, parse_response, presentation};
use agora::text::osa_distance;
use criterion::{Criterion, criterion_group, criterion_main};

fn question(answer: Answer) -> Question {
    Question {
        id: "bench".into(),
        origin: Origin::Written,
        topics: vec!["trade-figures".into()],
        difficulty: 2,
        prompt: "According to the paper, …".into(),
        answer,
        explanation: "Because the paper says so.".into(),
        citations: vec!["s7-economic-p2-total".into()],
    }
}

fn strings(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

fn bench(c: &mut Criterion) {
    let cases = [
        (
            "single",
            question(Answer::Single {
                choices: strings(&["Raw materials, particularly energy", "Industrial equipment", "Investment", "Military technology"]),
                correct: 0,
            }),
            Response::Choice(2),
        ),
        ("true_false", question(Answer::TrueFalse { correct: false }), Response::Bool(false)),
        (
            "multi",
            question(Answer::Multi {
                choices: strings(&["Complementary economies", "A multipolar order", "A defence treaty", "NATO membership", "A common currency"]),
                correct: vec![0, 1, 4],
            }),
            Response::Choices(vec![0, 1, 3]),
        ),
        ("numeric", question(Answer::Numeric { value: 244.8, unit: "US$ billion".into(), tolerance: 0.5, scale: Scale::Billion }), Response::Number(244.5)),
        (
            "ordering",
            question(Answer::Ordering {
                items: strings(&["Constructive (1993)", "Strategic (1996)", "Deepening (2010)", "New Era (2019)", "No limits (2022)"]),
            }),
            Response::Order(vec![0, 2, 1, 3, 4]),
        ),
        (
            // The slow path: a near miss (three typos), so every alias is compared with typo tolerance.
            "short",
            question(Answer::Short { accepted: strings(&["Shanghai Cooperation Organisation", "Shanghai Cooperation Organization", "SCO"]) }),
            Response::Text("Shanghai Cooperaton Organsaton".into()),
        ),
    ];
    let mut group = c.benchmark_group("judge");
    for (name, q, r) in &cases {
        group.bench_function(*name, |b| b.iter(|| judge(black_box(q), black_box(r))));
    }
    group.finish();

    // From what a student typed to a verdict: reading the text, then judging it.
    let typed = [("numeric", 3, "$244.5bn"), ("short", 5, "Shanghai Cooperaton Organsaton"), ("multi", 2, "A, B, D")];
    let mut group = c.benchmark_group("parse_and_judge");
    for (name, i, text) in typed {
        let q = &cases[i].1;
        let shown = presentation(q, 1);
        group.bench_function(name, |b| b.iter(|| parse_response(black_box(q), &shown, black_box(text)).map(|r| judge(q, &r))));
    }
    group.finish();

    // Ours on the normalised characters (rows on the stack) against strsim's on the same text.
    let pairs = [("shanghaicooperationorganisation", "shanghaicooperatonorgansaton"), ("multipolarity", "multipolarty"), ("sco", "sco")];
    let mut group = c.benchmark_group("osa_distance");
    group.bench_function("ours", |b| {
        let chars: Vec<(Vec<char>, Vec<char>)> = pairs.iter().map(|(a, g)| (a.chars().collect(), g.chars().collect())).collect();
        b.iter(|| chars.iter().map(|(a, g)| osa_distance(black_box(a), black_box(g))).sum::<usize>())
    });
    group.bench_function("strsim", |b| b.iter(|| pairs.iter().map(|(a, g)| strsim::osa_distance(black_box(a), black_box(g))).sum::<usize>()));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
