//! The HTML the browser sees after the redirect. Everything from the request is escaped.

const SUCCESS: &str = include_str!("../../assets/login_success.html");
const ERROR: &str = include_str!("../../assets/login_error.html");

pub(crate) fn success() -> String {
    SUCCESS.to_string()
}

pub(crate) fn error(heading: &str, error: &str, description: &str) -> String {
    render(
        ERROR,
        &[
            ("heading", heading),
            ("error", error),
            ("description", description),
        ],
    )
}

pub(crate) fn not_found() -> String {
    error(
        "Not found",
        "404",
        "This address belongs to a zdauth login.",
    )
}

/// One pass over the template, so a value that contains `{{...}}` is never expanded itself.
fn render(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            rest = &rest[start..];
            break;
        };
        let key = &after[..end];
        match vars.iter().find(|(name, _)| *name == key) {
            Some((_, value)) => out.push_str(&html_escape::encode_text(value)),
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_page_escapes_every_value() {
        let page = error("<b>h</b>", "<script>alert(1)</script>", "a & \"b\" <i>");
        assert!(!page.contains("<script>alert"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("&lt;b&gt;h&lt;/b&gt;"));
        assert!(page.contains("a &amp; \"b\" &lt;i&gt;"));
        assert!(!page.contains("{{"));
    }

    #[test]
    fn values_are_not_expanded_again() {
        let page = error("{{description}}", "e", "d");
        assert!(page.contains("<h1>{{description}}</h1>"));
    }

    #[test]
    fn pages_are_self_contained() {
        for page in [success(), error("h", "e", "d"), not_found()] {
            assert!(!page.contains("http://") && !page.contains("https://"));
            assert!(!page.contains("<script") && !page.contains("src="));
        }
    }
}
