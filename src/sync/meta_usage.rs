//! Meta's rate-limit headers (`x-app-usage`, `x-ad-account-usage`,
//! `x-business-use-case-usage`), read after every answer of the Marketing API: how long the
//! connector waits before its next request. Apart from src/sync/meta.rs, which had grown past
//! 700 lines.

use std::time::Duration;

use serde_json::Value;

/// Usage (percent of any of Meta's budgets) from which the connector pauses.
pub const HIGH_USAGE_PCT: f64 = 95.0;
/// Longest pause for usage, whatever the headers say.
const MAX_USAGE_WAIT: Duration = Duration::from_secs(3600);

/// What the usage headers of one answer ask: `None`, go on; else wait this long before the
/// next request. `regain_minute` is the length of one minute of
/// `estimated_time_to_regain_access`; `pause` the wait when usage is high without one.
pub fn usage_wait(
    headers: &reqwest::header::HeaderMap,
    regain_minute: Duration,
    pause: Duration,
) -> Option<Duration> {
    let mut high = false;
    let mut regain_minutes: f64 = 0.0;
    let mut check = |v: &Value| {
        for key in [
            "call_count",
            "total_cputime",
            "total_time",
            "acc_id_util_pct",
        ] {
            if v[key].as_f64().is_some_and(|p| p >= HIGH_USAGE_PCT) {
                high = true;
            }
        }
        if let Some(m) = v["estimated_time_to_regain_access"].as_f64() {
            regain_minutes = regain_minutes.max(m);
        }
    };
    let header = |name: &str| -> Option<Value> {
        serde_json::from_str(headers.get(name)?.to_str().ok()?).ok()
    };
    if let Some(v) = header("x-app-usage") {
        check(&v);
    }
    if let Some(v) = header("x-ad-account-usage") {
        check(&v);
    }
    // `{"<business id>": [{"type": "ads_insights", "call_count": 9, …}, …], …}`.
    if let Some(Value::Object(by_business)) = header("x-business-use-case-usage") {
        for uses in by_business.values() {
            for u in uses.as_array().into_iter().flatten() {
                check(u);
            }
        }
    }
    if regain_minutes > 0.0 {
        return Some(regain_minute.mul_f64(regain_minutes).min(MAX_USAGE_WAIT));
    }
    high.then_some(pause.min(MAX_USAGE_WAIT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn high_usage_headers_ask_for_a_pause() {
        let minute = Duration::from_secs(60);
        let pause = Duration::from_secs(30);
        let headers = |pairs: &[(&'static str, &str)]| {
            let mut h = reqwest::header::HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, v.parse().unwrap());
            }
            h
        };
        let low = headers(&[
            (
                "x-app-usage",
                r#"{"call_count":28,"total_time":25,"total_cputime":25}"#,
            ),
            (
                "x-business-use-case-usage",
                r#"{"1234":[{"type":"ads_insights","call_count":94,"total_cputime":3,"total_time":5,"estimated_time_to_regain_access":0}]}"#,
            ),
        ]);
        assert_eq!(usage_wait(&low, minute, pause), None);
        let cpu = headers(&[(
            "x-business-use-case-usage",
            r#"{"1234":[{"type":"ads_management","call_count":1,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":0},{"type":"ads_insights","call_count":10,"total_cputime":95,"total_time":5,"estimated_time_to_regain_access":0}]}"#,
        )]);
        assert_eq!(usage_wait(&cpu, minute, pause), Some(pause));
        let app = headers(&[(
            "x-app-usage",
            r#"{"call_count":100,"total_time":2,"total_cputime":2}"#,
        )]);
        assert_eq!(usage_wait(&app, minute, pause), Some(pause));
        let blocked = headers(&[(
            "x-business-use-case-usage",
            r#"{"1234":[{"type":"ads_insights","call_count":100,"total_cputime":40,"total_time":40,"estimated_time_to_regain_access":3}]}"#,
        )]);
        assert_eq!(
            usage_wait(&blocked, minute, pause),
            Some(Duration::from_secs(180))
        );
        assert_eq!(
            usage_wait(&headers(&[("x-app-usage", "not json")]), minute, pause),
            None
        );
    }
}
