//! `--jq EXPR` on each answer, by the jaq crates (a maintained jq in Rust). The filter is
//! compiled once, before any request: a mistake in it costs no call and no token.

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data};
use jaq_json::Val;
use serde::Deserialize;
use serde_json::Value;
use zdauth_core::error::Error;

use super::tally::cut;
use crate::cli::one_line;

type Data = data::JustLut<Val>;

pub struct Jq {
    filter: jaq_core::Filter<Data>,
}

impl Jq {
    /// A usage error with jaq's complaint on one line when `code` is not a filter.
    pub fn compile(code: &str) -> Result<Self, Error> {
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs());
        let arena = Arena::default();
        let loader = Loader::new(defs);
        let modules = loader
            .load(&arena, File { code, path: () })
            .map_err(|errors| {
                let problems = errors.into_iter().flat_map(|(_, e)| load_problems(code, e));
                usage(&problems.collect::<Vec<_>>())
            })?;
        let filter = Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errors| {
                let problems = errors.into_iter().flat_map(|(_, undefined)| {
                    undefined
                        .into_iter()
                        .map(|(name, kind)| format!("{} {name} is not defined", what(&kind)))
                });
                usage(&problems.collect::<Vec<_>>())
            })?;
        Ok(Self { filter })
    }

    /// Hands each value the filter yields for `input` to `each` as jaq yields it, so a
    /// filter that yields without end (`repeat(.)`) holds no memory and stops when `each`
    /// returns false (stdout went away); or the first error it stops with.
    pub fn run(&self, input: &Value, mut each: impl FnMut(Value) -> bool) -> Result<(), String> {
        let input =
            Val::deserialize(input).map_err(|e| format!("jq cannot read the answer ({e})"))?;
        let ctx = Ctx::<Data>::new(&self.filter.lut, Vars::new([]));
        for result in self.filter.id.run((ctx, input)) {
            let value = match result {
                Ok(value) => value,
                Err(exn) => {
                    return Err(match exn.get_err() {
                        // jaq's messages quote the value, which may be the whole answer.
                        Ok(error) => format!("jq: {}", cut(&one_line(&error.to_string()))),
                        // `halt` would end the process in jaq's own runner; here it ends the
                        // filter of this answer only.
                        Err(_) => "jq: the filter halted".to_owned(),
                    });
                }
            };
            if !each(to_json(&value)?) {
                break;
            }
        }
        Ok(())
    }
}

/// jaq writes its values as JSON; the few it can hold that JSON cannot (byte strings,
/// non-string keys) are refused as an answer's error.
fn to_json(value: &Val) -> Result<Value, String> {
    serde_json::from_str(&value.to_string()).map_err(|_| {
        format!(
            "jq: the result {} is not JSON",
            cut(&zdauth_core::error::quote(&value.to_string()))
        )
    })
}

fn load_problems(code: &str, error: jaq_core::load::Error<&str>) -> Vec<String> {
    use jaq_core::load::Error as E;
    let at = |rest: &str| code.len().saturating_sub(rest.len()) + 1;
    match error {
        E::Io(errors) => errors.into_iter().map(|(_, e)| e).collect(),
        E::Lex(errors) => errors
            .into_iter()
            .map(|(expect, rest)| format!("expected {} at character {}", expect.as_str(), at(rest)))
            .collect(),
        E::Parse(errors) => errors
            .into_iter()
            .map(|(expect, found)| {
                if found.is_empty() {
                    format!("expected {} at the end", expect.as_str())
                } else {
                    format!(
                        "expected {} at character {}, found {}",
                        expect.as_str(),
                        at(found),
                        zdauth_core::error::quote(found)
                    )
                }
            })
            .collect(),
    }
}

fn what(kind: &jaq_core::compile::Undefined) -> String {
    use jaq_core::compile::Undefined as U;
    match kind {
        U::Mod => "the module".into(),
        U::Var => "the variable".into(),
        U::Label => "the label".into(),
        U::Filter(arity) => format!("the filter (of {arity} arguments)"),
        _ => "the name".into(),
    }
}

fn usage(problems: &[String]) -> Error {
    let text = if problems.is_empty() {
        "it does not parse".to_owned()
    } else {
        problems.join("; ")
    };
    Error::Usage(format!(
        "--jq is not a jq filter: {}: fix the expression (e.g. '.users[].email')",
        one_line(&text)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    impl Jq {
        fn all(&self, input: &Value) -> Result<Vec<Value>, String> {
            let mut values = Vec::new();
            self.run(input, |value| {
                values.push(value);
                true
            })?;
            Ok(values)
        }
    }

    #[test]
    fn a_filter_yields_each_value() {
        let jq = Jq::compile(".users[] | select(.role == \"admin\") | .email").unwrap();
        let input = json!({"users": [
            {"email": "a@x", "role": "admin"},
            {"email": "b@x", "role": "agent"},
            {"email": "c@x", "role": "admin"},
        ]});
        assert_eq!(jq.all(&input).unwrap(), vec![json!("a@x"), json!("c@x")]);
        let jq = Jq::compile("{n: (.users | length), big: 12345678901}").unwrap();
        assert_eq!(
            jq.all(&input).unwrap(),
            vec![json!({"n": 3, "big": 12_345_678_901_u64})]
        );
        assert_eq!(
            Jq::compile("map(.a) | add")
                .unwrap()
                .all(&json!([{"a": 1}, {"a": 2.5}]))
                .unwrap(),
            vec![json!(3.5)]
        );
    }

    #[test]
    fn a_compile_error_is_one_usage_line() {
        for code in [
            "(.a",
            ".users[",
            "nosuchfilter",
            "$nope",
            "if . then 1",
            "\"\\q\"",
        ] {
            let error = Jq::compile(code)
                .err()
                .unwrap_or_else(|| panic!("{code} compiled"));
            assert!(matches!(error, Error::Usage(_)), "{code}");
            let text = error.to_string();
            assert!(!text.contains('\n'), "{text}");
            assert!(text.starts_with("--jq is not a jq filter: "), "{text}");
        }
        let text = Jq::compile("nosuchfilter").err().unwrap().to_string();
        assert!(text.contains("nosuchfilter is not defined"), "{text}");
    }

    #[test]
    fn a_runtime_error_is_that_answers_error() {
        let jq = Jq::compile(".users[]").unwrap();
        let error = jq.all(&json!({"users": 3})).unwrap_err();
        assert!(
            error.starts_with("jq: ") && error.contains("iterable"),
            "{error}"
        );
        let error = Jq::compile("halt").unwrap().all(&json!(1)).unwrap_err();
        assert_eq!(error, "jq: the filter halted");
        let error = Jq::compile("error(\"x\\u001b[31my\")")
            .unwrap()
            .all(&json!(1))
            .unwrap_err();
        assert!(!error.contains('\u{1b}'), "{error}");
    }

    #[test]
    fn values_go_out_as_jaq_yields_them() {
        // Those before an error are out already; a filter without end stops when asked.
        let jq = Jq::compile(".[] | if . == 3 then error(\"three\") else . end").unwrap();
        let mut seen = Vec::new();
        let ended = jq.run(&json!([1, 2, 3, 4]), |value| {
            seen.push(value);
            true
        });
        assert_eq!(seen, [json!(1), json!(2)]);
        assert!(ended.unwrap_err().contains("three"));
        let mut count = 0;
        Jq::compile("repeat(.)")
            .unwrap()
            .run(&json!(1), |_| {
                count += 1;
                count < 5
            })
            .unwrap();
        assert_eq!(count, 5);
    }

    #[test]
    fn a_runtime_error_quoting_the_answer_is_cut() {
        let error = Jq::compile(".[] | error")
            .unwrap()
            .all(&json!([{"big": "x".repeat(100_000)}]))
            .unwrap_err();
        assert!(error.chars().count() <= 210, "{}", error.len());
        assert!(error.ends_with('…'), "{error}");
    }
}
