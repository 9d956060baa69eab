/// Adds two numbers.
///
/// ```
/// assert_eq!(tinycrate::add(2, 2), 4);
/// ```
///
/// ```
/// assert_eq!(tinycrate::add(2, 2), 5);
/// ```
pub fn add(a: u64, b: u64) -> u64 {
    a + b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds() {
        assert_eq!(add(1, 2), 3);
    }

    #[test]
    fn adds_zero() {
        assert_eq!(add(0, 0), 0);
    }

    #[test]
    fn wrong_on_purpose() {
        assert_eq!(add(2, 2), 5, "two and two");
    }

    #[test]
    #[ignore]
    fn slow() {}
}
