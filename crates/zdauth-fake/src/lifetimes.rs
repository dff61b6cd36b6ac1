//! Requested token lifetimes, checked against the bounds Zendesk states.

use crate::errors::OAuthError;
use crate::params::Params;
use crate::state::Lifetimes;

/// Exclusive bounds, in seconds, from Zendesk's docs.
const ACCESS_BOUNDS: (u64, u64) = (300, 172_800);
const REFRESH_BOUNDS: (u64, u64) = (604_800, 7_776_000);

fn requested(params: &Params, name: &str) -> Result<Option<u64>, OAuthError> {
    let Some(text) = params.get(name) else {
        return Ok(None);
    };
    match text.trim().parse::<u64>() {
        Ok(secs) if secs > 0 => Ok(Some(secs)),
        _ => Err(OAuthError::invalid_request(format!(
            "{name} must be a positive whole number of seconds"
        ))),
    }
}

fn within(name: &str, secs: u64, (low, high): (u64, u64)) -> Result<(), OAuthError> {
    if low < secs && secs < high {
        Ok(())
    } else {
        Err(OAuthError::invalid_request(format!(
            "{name} must be greater than {low} and less than {high}"
        )))
    }
}

/// `expires_in` and `refresh_token_expires_in` of a token request, or the defaults.
/// Lenient mode takes any positive number, so the demo can show expiry within seconds.
pub(crate) fn resolve(
    params: &Params,
    defaults: Lifetimes,
    lenient: bool,
) -> Result<Lifetimes, OAuthError> {
    let access = requested(params, "expires_in")?;
    let refresh = requested(params, "refresh_token_expires_in")?;
    let lifetimes = Lifetimes {
        access_secs: access.unwrap_or(defaults.access_secs),
        refresh_secs: refresh.unwrap_or(defaults.refresh_secs),
    };
    if lenient {
        return Ok(lifetimes);
    }
    if let Some(secs) = access {
        within("expires_in", secs, ACCESS_BOUNDS)?;
    }
    if let Some(secs) = refresh {
        within("refresh_token_expires_in", secs, REFRESH_BOUNDS)?;
    }
    if (access.is_some() || refresh.is_some()) && lifetimes.access_secs >= lifetimes.refresh_secs {
        return Err(OAuthError::invalid_request(
            "expires_in must be less than refresh_token_expires_in",
        ));
    }
    Ok(lifetimes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULTS: Lifetimes = Lifetimes {
        access_secs: 1800,
        refresh_secs: 2_592_000,
    };

    fn check(body: &str, lenient: bool) -> Result<Lifetimes, &'static str> {
        let params = Params::from_form(body.as_bytes()).unwrap();
        resolve(&params, DEFAULTS, lenient).map_err(|error| error.code())
    }

    #[test]
    fn strict_bounds_are_exclusive() {
        assert!(check("expires_in=300", false).is_err());
        assert!(check("expires_in=301", false).is_ok());
        assert!(check("expires_in=172799", false).is_ok());
        assert!(check("expires_in=172800", false).is_err());
        assert!(check("refresh_token_expires_in=604800", false).is_err());
        assert!(check("refresh_token_expires_in=7775999", false).is_ok());
        assert!(check("refresh_token_expires_in=7776000", false).is_err());
    }

    #[test]
    fn strict_rejects_garbage_and_zero() {
        assert_eq!(check("expires_in=abc", false), Err("invalid_request"));
        assert_eq!(check("expires_in=0", true), Err("invalid_request"));
        assert_eq!(check("expires_in=-5", true), Err("invalid_request"));
    }

    #[test]
    fn lenient_accepts_short_lifetimes() {
        let lifetimes = check("expires_in=2&refresh_token_expires_in=5", true).unwrap();
        assert_eq!(lifetimes.access_secs, 2);
        assert_eq!(lifetimes.refresh_secs, 5);
        assert!(check("expires_in=2", false).is_err());
    }

    #[test]
    fn defaults_when_absent() {
        assert_eq!(check("", false), Ok(DEFAULTS));
    }
}
