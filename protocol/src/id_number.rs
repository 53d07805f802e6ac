//! Resident identity card numbers (GB 11643-1999): parsing with a precise reason for every
//! refusal, the masked display form, birth date and region, and the packed integer form the
//! certificate carries.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// The 17 weights of GB 11643-1999 (2^(18-i) mod 11), applied to the first 17 digits.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// ISO 7064 MOD 11-2 check character for each remainder of the weighted sum.
const CHECK_CHARACTERS: [u8; 11] = *b"10X98765432";
/// The earliest birth year accepted: nobody alive was born before it.
const EARLIEST_BIRTH_YEAR: i32 = 1900;

/// A province-level division: the first two digits of the number (GB/T 2260).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Province {
    /// The two-digit code, e.g. 11 for Beijing.
    pub code: u8,
    /// The name in Chinese.
    pub name_zh: &'static str,
    /// The name in English.
    pub name_en: &'static str,
}

const PROVINCES: &[Province] = &[
    p(11, "北京", "Beijing"),
    p(12, "天津", "Tianjin"),
    p(13, "河北", "Hebei"),
    p(14, "山西", "Shanxi"),
    p(15, "内蒙古", "Inner Mongolia"),
    p(21, "辽宁", "Liaoning"),
    p(22, "吉林", "Jilin"),
    p(23, "黑龙江", "Heilongjiang"),
    p(31, "上海", "Shanghai"),
    p(32, "江苏", "Jiangsu"),
    p(33, "浙江", "Zhejiang"),
    p(34, "安徽", "Anhui"),
    p(35, "福建", "Fujian"),
    p(36, "江西", "Jiangxi"),
    p(37, "山东", "Shandong"),
    p(41, "河南", "Henan"),
    p(42, "湖北", "Hubei"),
    p(43, "湖南", "Hunan"),
    p(44, "广东", "Guangdong"),
    p(45, "广西", "Guangxi"),
    p(46, "海南", "Hainan"),
    p(50, "重庆", "Chongqing"),
    p(51, "四川", "Sichuan"),
    p(52, "贵州", "Guizhou"),
    p(53, "云南", "Yunnan"),
    p(54, "西藏", "Tibet"),
    p(61, "陕西", "Shaanxi"),
    p(62, "甘肃", "Gansu"),
    p(63, "青海", "Qinghai"),
    p(64, "宁夏", "Ningxia"),
    p(65, "新疆", "Xinjiang"),
    p(71, "台湾", "Taiwan"),
    p(81, "香港", "Hong Kong"),
    p(82, "澳门", "Macao"),
    // Residence permits for Taiwan residents on the mainland (2018) use 83.
    p(83, "台湾（居住证）", "Taiwan (residence permit)"),
];

const fn p(code: u8, name_zh: &'static str, name_en: &'static str) -> Province {
    Province {
        code,
        name_zh,
        name_en,
    }
}

impl Province {
    /// The province for a two-digit code, if GB/T 2260 assigns one.
    pub fn from_code(code: u8) -> Option<&'static Province> {
        PROVINCES.iter().find(|p| p.code == code)
    }
}

/// Why a text is not a valid resident ID number. Each variant names one precise reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    /// The number must have exactly 18 characters.
    #[error("an ID number has 18 characters, this one has {found}")]
    WrongLength {
        /// How many characters were given.
        found: usize,
    },
    /// Only digits are allowed, and `X` as the last character.
    #[error(
        "character {position} ('{found}') is not allowed: only digits, and X as the last character"
    )]
    BadCharacter {
        /// 1-based position of the first bad character.
        position: usize,
        /// The character found there.
        found: char,
    },
    /// The first two digits are not a province code.
    #[error("the first two digits ({code:02}) are not a province code")]
    UnknownProvince {
        /// The two-digit code found.
        code: u8,
    },
    /// Digits 7–14 are not a calendar date (or lie before 1900).
    #[error("digits 7-14 ({digits}) are not a possible birth date")]
    ImpossibleBirthDate {
        /// The eight digits found.
        digits: String,
    },
    /// The birth date lies after today.
    #[error("the birth date {date} lies in the future")]
    FutureBirthDate {
        /// The birth date, as YYYY-MM-DD.
        date: String,
    },
    /// The last character does not match the ISO 7064 MOD 11-2 check of the first 17 digits.
    #[error(
        "the check character is {found}, but the first 17 digits require {expected}: a digit was probably mistyped"
    )]
    WrongCheckCharacter {
        /// The character the first 17 digits require.
        expected: char,
        /// The character found.
        found: char,
    },
}

impl IdNumberError {
    /// A stable machine-readable code for the reason, used on the wire and in the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongLength { .. } => "wrong_length",
            Self::BadCharacter { .. } => "bad_character",
            Self::UnknownProvince { .. } => "unknown_province",
            Self::ImpossibleBirthDate { .. } => "impossible_birth_date",
            Self::FutureBirthDate { .. } => "future_birth_date",
            Self::WrongCheckCharacter { .. } => "wrong_check_character",
        }
    }

    /// The reason in Chinese, for the person who typed the number.
    pub fn message_zh(&self) -> String {
        match self {
            Self::WrongLength { found } => format!("身份证号码应为 18 位，您输入了 {found} 位"),
            Self::BadCharacter { position, found } => {
                format!("第 {position} 位“{found}”无效：只能是数字，最后一位可以是 X")
            }
            Self::UnknownProvince { code } => {
                format!("前两位（{code:02}）不是有效的省级行政区代码")
            }
            Self::ImpossibleBirthDate { digits } => {
                format!("第 7–14 位（{digits}）不是有效的出生日期")
            }
            Self::FutureBirthDate { date } => format!("出生日期 {date} 晚于今天"),
            Self::WrongCheckCharacter { .. } => {
                "校验位不符，请检查是否输错了某一位数字".to_string()
            }
        }
    }
}

/// A valid 18-character resident ID number, normalised (upper-case `X`).
///
/// Construct it with [`IdNumber::parse`]; its `Display` is the full number, so never log it:
/// log [`IdNumber::masked`] instead. No age check exists anywhere: minors hold ID cards too.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct IdNumber([u8; 18]);

impl IdNumber {
    /// Parses and validates a number; `today` (the caller's calendar date) rules out future
    /// birth dates. Surrounding whitespace is ignored; a lower-case `x` is accepted.
    pub fn parse(input: &str, today: Date) -> Result<Self, IdNumberError> {
        let number = Self::parse_structure(input)?;
        let birth = number.birth_date();
        if birth > today {
            return Err(IdNumberError::FutureBirthDate {
                date: birth.to_string(),
            });
        }
        Ok(number)
    }

    /// Validates everything but the "not in the future" rule (used for numbers read back from a
    /// signed certificate, whose issuer already checked it against its own calendar).
    fn parse_structure(input: &str) -> Result<Self, IdNumberError> {
        let trimmed = input.trim();
        let count = trimmed.chars().count();
        if count != 18 {
            return Err(IdNumberError::WrongLength { found: count });
        }
        let mut digits = [0u8; 18];
        for (i, c) in trimmed.chars().enumerate() {
            digits[i] = match c {
                '0'..='9' => c as u8,
                'x' | 'X' if i == 17 => b'X',
                _ => {
                    return Err(IdNumberError::BadCharacter {
                        position: i + 1,
                        found: c,
                    });
                }
            };
        }
        let province = (digits[0] - b'0') * 10 + (digits[1] - b'0');
        if Province::from_code(province).is_none() {
            return Err(IdNumberError::UnknownProvince { code: province });
        }
        if birth_date_of(&digits).is_none() {
            let text = std::str::from_utf8(&digits[6..14])
                .unwrap_or_default()
                .to_string();
            return Err(IdNumberError::ImpossibleBirthDate { digits: text });
        }
        let expected = check_character(&digits);
        if digits[17] != expected {
            return Err(IdNumberError::WrongCheckCharacter {
                expected: expected as char,
                found: digits[17] as char,
            });
        }
        Ok(Self(digits))
    }

    /// The number as text (18 characters).
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and 'X' are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The masked display form: the first six and last four characters, e.g. `110105********123X`.
    pub fn masked(&self) -> String {
        let s = self.as_str();
        format!("{}********{}", &s[..6], &s[14..])
    }

    /// The birth date encoded in digits 7–14.
    pub fn birth_date(&self) -> Date {
        // A stored number always passed `parse_structure`.
        birth_date_of(&self.0).unwrap_or(Date::MIN)
    }

    /// The six-digit administrative division code of the place of first registration.
    pub fn region_code(&self) -> u32 {
        self.0[..6]
            .iter()
            .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'))
    }

    /// The province of first registration.
    pub fn province(&self) -> &'static Province {
        let code = (self.0[0] - b'0') * 10 + (self.0[1] - b'0');
        // A stored number always passed the province check.
        Province::from_code(code).unwrap_or(&PROVINCES[0])
    }

    /// The packed form carried in certificates: the first 17 digits as one integer (the check
    /// character is implied). Always below 10^17, so it fits a CBOR uint64.
    pub fn packed(&self) -> u64 {
        self.0[..17]
            .iter()
            .fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0'))
    }

    /// Reverses [`IdNumber::packed`], re-deriving the check character. Fails on any value that
    /// does not describe a structurally valid number.
    pub fn from_packed(value: u64) -> Result<Self, IdNumberError> {
        if value >= 100_000_000_000_000_000 {
            return Err(IdNumberError::WrongLength {
                found: value.to_string().len() + 1,
            });
        }
        let mut digits = [0u8; 18];
        let mut rest = value;
        for slot in digits[..17].iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        digits[17] = check_character(&digits);
        let text = std::str::from_utf8(&digits).unwrap_or_default();
        Self::parse_structure(text)
    }
}

fn check_character(digits: &[u8; 18]) -> u8 {
    let sum: u32 = digits[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK_CHARACTERS[(sum % 11) as usize]
}

fn birth_date_of(digits: &[u8; 18]) -> Option<Date> {
    let num = |range: std::ops::Range<usize>| {
        digits[range]
            .iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let year = i32::try_from(num(6..10)).ok()?;
    if year < EARLIEST_BIRTH_YEAR {
        return None;
    }
    let month = Month::try_from(u8::try_from(num(10..12)).ok()?).ok()?;
    let day = u8::try_from(num(12..14)).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

impl fmt::Display for IdNumber {
    /// The full number. Use [`IdNumber::masked`] for anything a log or a bystander may read.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for IdNumber {
    /// Debug output is masked, so a stray `{:?}` never leaks a number into a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl From<IdNumber> for String {
    fn from(value: IdNumber) -> Self {
        value.as_str().to_string()
    }
}

impl<'de> Deserialize<'de> for IdNumber {
    /// Deserialising checks the structure (length, characters, province, date, check
    /// character); the future-birth-date rule needs a calendar and is the caller's to apply
    /// with [`IdNumber::parse`].
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse_structure(&text).map_err(serde::de::Error::custom)
    }
}

/// Masks a person's name for display to bystanders: the first and last characters stay, the
/// rest become `*` (`张*丰`, `李*`, `*`).
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".to_string(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// Completes 17 digits with their check character (for tests, fixtures and the sandbox
/// identity registry).
pub fn with_check_character(first17: &str) -> Option<String> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut digits = [0u8; 18];
    digits[..17].copy_from_slice(first17.as_bytes());
    let check = check_character(&digits);
    Some(format!("{first17}{}", check as char))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 25);

    fn parse(s: &str) -> Result<IdNumber, IdNumberError> {
        IdNumber::parse(s, TODAY)
    }

    #[test]
    fn accepts_the_standard_example() {
        // The worked example of GB 11643-1999.
        let n = parse("11010519491231002X").expect("valid");
        assert_eq!(n.as_str(), "11010519491231002X");
        assert_eq!(n.birth_date(), date!(1949 - 12 - 31));
        assert_eq!(n.region_code(), 110105);
        assert_eq!(n.province().name_en, "Beijing");
        assert_eq!(n.masked(), "110105********002X");
    }

    #[test]
    fn accepts_valid_numbers_across_provinces() {
        for (first17, province) in [
            ("44030419851112301", "Guangdong"),
            ("31010120000229123", "Shanghai"),
            ("65010219701001456", "Xinjiang"),
            ("54010219950505789", "Tibet"),
            ("81000019900101001", "Hong Kong"),
            ("83000019800101002", "Taiwan (residence permit)"),
            ("23010219601231003", "Heilongjiang"),
        ] {
            let full = with_check_character(first17).expect("17 digits");
            let n = parse(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
            assert_eq!(n.province().name_en, province);
        }
    }

    #[test]
    fn accepts_a_minor_born_last_year() {
        let full = with_check_character("11010820250704001").expect("17 digits");
        let n = parse(&full).expect("minors hold ID cards");
        assert_eq!(n.birth_date(), date!(2025 - 07 - 04));
    }

    #[test]
    fn accepts_a_birth_today() {
        let full = with_check_character("11010820261125001").expect("17 digits");
        assert!(parse(&full).is_ok());
    }

    #[test]
    fn lower_case_x_is_normalised() {
        let n = parse("11010519491231002x").expect("valid");
        assert_eq!(n.as_str(), "11010519491231002X");
        let n = parse("  11010519491231002X\n").expect("whitespace trimmed");
        assert_eq!(n.as_str(), "11010519491231002X");
    }

    #[test]
    fn refuses_wrong_length() {
        assert_eq!(
            parse("1101051949123100"),
            Err(IdNumberError::WrongLength { found: 16 })
        );
        assert_eq!(
            parse("11010519491231002X1"),
            Err(IdNumberError::WrongLength { found: 19 })
        );
        assert_eq!(parse(""), Err(IdNumberError::WrongLength { found: 0 }));
        // Counts characters, not bytes.
        assert_eq!(
            parse("一二三"),
            Err(IdNumberError::WrongLength { found: 3 })
        );
    }

    #[test]
    fn refuses_bad_characters() {
        assert_eq!(
            parse("1101051949123100XX"),
            Err(IdNumberError::BadCharacter {
                position: 17,
                found: 'X'
            })
        );
        assert_eq!(
            parse("110105194912310 2X"),
            Err(IdNumberError::BadCharacter {
                position: 16,
                found: ' '
            })
        );
        assert_eq!(
            parse("11010519491231002Y"),
            Err(IdNumberError::BadCharacter {
                position: 18,
                found: 'Y'
            })
        );
        assert_eq!(
            parse("11010519491231002一"),
            Err(IdNumberError::BadCharacter {
                position: 18,
                found: '一'
            })
        );
    }

    #[test]
    fn refuses_unknown_provinces() {
        for code in [
            "00", "10", "16", "20", "39", "47", "55", "66", "70", "80", "84", "91", "99",
        ] {
            let full = with_check_character(&format!("{code}010519491231002")).expect("digits");
            assert_eq!(
                parse(&full),
                Err(IdNumberError::UnknownProvince {
                    code: code.parse().expect("two digits")
                }),
                "{code}"
            );
        }
    }

    #[test]
    fn refuses_impossible_birth_dates() {
        for date in [
            "19491331", "19490230", "20230229", "18991231", "19490000", "19490100",
        ] {
            let full = with_check_character(&format!("110105{date}002")).expect("digits");
            assert_eq!(
                parse(&full),
                Err(IdNumberError::ImpossibleBirthDate {
                    digits: date.to_string()
                }),
                "{date}"
            );
        }
        // 29 February exists in leap years.
        let leap = with_check_character("11010520240229002").expect("digits");
        assert!(parse(&leap).is_ok());
    }

    #[test]
    fn refuses_future_birth_dates() {
        let full = with_check_character("11010520261126002").expect("digits");
        assert_eq!(
            parse(&full),
            Err(IdNumberError::FutureBirthDate {
                date: "2026-11-26".to_string()
            })
        );
    }

    #[test]
    fn refuses_a_wrong_check_character() {
        assert_eq!(
            parse("110105194912310021"),
            Err(IdNumberError::WrongCheckCharacter {
                expected: 'X',
                found: '1'
            })
        );
        // A single mistyped digit is caught.
        assert!(matches!(
            parse("11010519491231003X"),
            Err(IdNumberError::WrongCheckCharacter { .. })
        ));
    }

    #[test]
    fn every_reason_has_a_code_and_a_message() {
        let errors = [
            parse("1"),
            parse("1101051949123100XX"),
            parse(&with_check_character("99010519491231002").expect("d")),
            parse(&with_check_character("11010519491331002").expect("d")),
            parse(&with_check_character("11010520991231002").expect("d")),
            parse("110105194912310021"),
        ];
        let mut codes: Vec<&str> = errors
            .iter()
            .map(|e| e.as_ref().expect_err("refused").code())
            .collect();
        for e in &errors {
            let e = e.as_ref().expect_err("refused");
            assert!(!e.to_string().is_empty());
            assert!(!e.message_zh().is_empty());
        }
        codes.dedup();
        assert_eq!(codes.len(), 6, "each reason has its own code: {codes:?}");
    }

    #[test]
    fn packed_form_round_trips() {
        let n = parse("11010519491231002X").expect("valid");
        assert_eq!(n.packed(), 11010519491231002);
        assert_eq!(IdNumber::from_packed(n.packed()), Ok(n));
        assert!(IdNumber::from_packed(100_000_000_000_000_000).is_err());
        assert!(IdNumber::from_packed(0).is_err());
    }

    #[test]
    fn debug_is_masked_and_serde_round_trips() {
        let n = parse("11010519491231002X").expect("valid");
        assert_eq!(format!("{n:?}"), "IdNumber(110105********002X)");
        let json = serde_json::to_string(&n).expect("serialise");
        assert_eq!(json, "\"11010519491231002X\"");
        let back: IdNumber = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, n);
        assert!(serde_json::from_str::<IdNumber>("\"110105194912310021\"").is_err());
    }

    #[test]
    fn names_are_masked() {
        assert_eq!(mask_name("张三丰"), "张*丰");
        assert_eq!(mask_name("李四"), "李*");
        assert_eq!(mask_name("王"), "*");
        assert_eq!(mask_name("欧阳娜娜"), "欧**娜");
        assert_eq!(mask_name(""), "");
    }
}
