//! The words of `zdauth api` made into what the engine takes: which connections, and one
//! request (method, target, headers, body). Everything here is refused before the vault is
//! opened or any connection is touched.

use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value};
use zdauth_core::api::{ApiRequest, MAX_BODY, parse_header};
use zdauth_core::config::Selector;
use zdauth_core::error::{Error, quote};

use super::ApiArgs;

/// Which connections, and the target as typed.
pub fn selection(args: &ApiArgs) -> Result<(Selector, String), Error> {
    let (names, target) = match args.words.as_slice() {
        [target] => (Vec::new(), target.clone()),
        [name, target] => (vec![name.clone()], target.clone()),
        _ => {
            return Err(Error::Usage(
                "give [NAME] PATH: see `zdauth api --help`".into(),
            ));
        }
    };
    if args.pick.all && !names.is_empty() {
        // As `status`, `export` and `refresh` refuse names with --all.
        return Err(Error::Usage(format!(
            "a NAME ({}) and --all cannot go together: give one or the other",
            quote(&names[0])
        )));
    }
    let selector = args.pick.selector(&names);
    if selector.is_empty() {
        return Err(Error::Usage(format!(
            "which connection? Write `zdauth api NAME {target}`, or use --all or --tag",
            target = quote(&target)
        )));
    }
    Ok((selector, target))
}

/// The request as the engine takes it, checked by the engine's rules too.
pub fn request(args: &ApiArgs, target: String, stdin: impl Read) -> Result<ApiRequest, Error> {
    let body = match &args.input {
        Some(path) => Some(input_body(path, stdin)?),
        None if args.fields.is_empty() => None,
        None => Some(fields_body(&args.fields)?),
    };
    let request = ApiRequest {
        method: args
            .method
            .as_deref()
            .map(str::to_ascii_uppercase)
            .unwrap_or_default(),
        target,
        headers: args
            .headers
            .iter()
            .map(|h| parse_header(h))
            .collect::<Result<_, _>>()?,
        body,
        paginate: args.paginate,
        max_pages: args.max_pages,
    };
    request.check()?;
    Ok(request)
}

/// `-f key=value` (a string) and `-f key:=json` (a raw JSON value) as one JSON object.
pub fn fields_body(fields: &[String]) -> Result<Vec<u8>, Error> {
    let mut object = Map::new();
    for field in fields {
        let Some((left, text)) = field.split_once('=') else {
            return Err(Error::Usage(format!(
                "-f {} has no '=': write key=value, or key:=json for a raw JSON value",
                quote(field)
            )));
        };
        let (key, value) = match left.strip_suffix(':') {
            Some(key) => {
                let value = serde_json::from_str(text).map_err(|e| {
                    Error::Usage(format!(
                        "-f {}: the value after := is not JSON ({e}); quote a string as key=value",
                        quote(key)
                    ))
                })?;
                (key, value)
            }
            None => (left, Value::String(text.to_owned())),
        };
        if key.is_empty() {
            return Err(Error::Usage(format!(
                "-f {} has an empty key: write key=value",
                quote(field)
            )));
        }
        if object.insert(key.to_owned(), value).is_some() {
            return Err(Error::Usage(format!(
                "-f {} is given twice: give each field once",
                quote(key)
            )));
        }
    }
    Ok(serde_json::to_vec(&Value::Object(object)).expect("a JSON value serializes"))
}

/// `--input FILE` or `--input -` (stdin): at most [`MAX_BODY`] bytes, and JSON.
pub fn input_body(path: &Path, stdin: impl Read) -> Result<Vec<u8>, Error> {
    let from_stdin = path == Path::new("-");
    let shown = if from_stdin {
        "stdin".to_owned()
    } else {
        quote(&path.to_string_lossy())
    };
    let limit = u64::try_from(MAX_BODY).unwrap_or(u64::MAX) + 1;
    let mut bytes = Vec::new();
    let read = if from_stdin {
        stdin.take(limit).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|file| file.take(limit).read_to_end(&mut bytes))
    };
    read.map_err(|e| {
        Error::Usage(format!(
            "cannot read --input {shown} ({}): check the path",
            e.kind()
        ))
    })?;
    if bytes.len() > MAX_BODY {
        return Err(Error::Usage(format!(
            "--input {shown} is larger than {} MiB: send a smaller body",
            MAX_BODY >> 20
        )));
    }
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
        return Err(Error::Usage(format!(
            "--input {shown} is not JSON ({e}): the body must be one JSON value"
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(fields: &[&str]) -> Result<Value, String> {
        let fields: Vec<String> = fields.iter().map(|&f| f.to_owned()).collect();
        fields_body(&fields)
            .map(|bytes| serde_json::from_slice(&bytes).unwrap())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn fields_are_strings_or_raw_json() {
        let got = body(&[
            "name=Ada",
            "count:=3",
            "tags:=[\"a\"]",
            "note=x=y",
            "empty=",
        ])
        .unwrap();
        assert_eq!(
            got,
            serde_json::json!({"name": "Ada", "count": 3, "tags": ["a"], "note": "x=y", "empty": ""})
        );
    }

    #[test]
    fn bad_fields_are_usage_errors_naming_the_field() {
        let e = body(&["count:={oops"]).unwrap_err();
        assert!(e.contains("\"count\"") && e.contains("not JSON"), "{e}");
        let e = body(&["a=1", "a:=2"]).unwrap_err();
        assert!(e.contains("\"a\"") && e.contains("twice"), "{e}");
        assert!(body(&["novalue"]).unwrap_err().contains("no '='"));
        assert!(body(&["=x"]).unwrap_err().contains("empty key"));
    }

    #[test]
    fn input_must_be_json_and_bounded() {
        let dash = Path::new("-");
        assert_eq!(input_body(dash, &b"{\"a\":1}"[..]).unwrap(), b"{\"a\":1}");
        let e = input_body(dash, &b"{nope"[..]).unwrap_err().to_string();
        assert!(e.contains("stdin is not JSON"), "{e}");
        let e = input_body(dash, &b""[..]).unwrap_err().to_string();
        assert!(e.contains("not JSON"), "{e}");
        let big = vec![b' '; MAX_BODY + 1];
        let e = input_body(dash, &big[..]).unwrap_err().to_string();
        assert!(e.contains("larger than 32 MiB"), "{e}");
        let e = input_body(Path::new("/nonexistent/body.json"), &b""[..])
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot read --input"), "{e}");
    }
}
