//! Reading the model's verdict when it judges a criterion whose validator could not run.

/// `(score in [0,1], reason)` from an answer holding `{"score": x, "reason": "..."}`, possibly
/// wrapped in prose or a code fence. None when no such object is there.
pub fn parse_verdict(text: &str) -> Option<(f64, String)> {
    let start = text.find('{')?;
    let end = text.rfind('}')?;
    let v: serde_json::Value = serde_json::from_str(text.get(start..=end)?).ok()?;
    let score = v.get("score")?.as_f64()?;
    if !score.is_finite() {
        return None;
    }
    let reason = v
        .get("reason")
        .and_then(|r| r.as_str())
        .unwrap_or("")
        .to_string();
    Some((score.clamp(0.0, 1.0), reason))
}

#[cfg(test)]
mod tests {
    use super::parse_verdict;

    #[test]
    fn reads_a_fenced_verdict_and_clamps() {
        let t = "Here:\n```json\n{\"score\": 1.4, \"reason\": \"fine\"}\n```";
        assert_eq!(parse_verdict(t), Some((1.0, "fine".into())));
    }

    #[test]
    fn rejects_answers_without_a_score() {
        assert_eq!(parse_verdict("no json"), None);
        assert_eq!(parse_verdict("{\"reason\": \"x\"}"), None);
    }
}
