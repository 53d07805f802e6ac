//! The QR code in a terminal: two module rows per text line with the Unicode half blocks
//! `▀ ▄ █`, quiet zone included. On a colour terminal the code is drawn black on white
//! whatever the terminal's theme (a scanner needs dark modules on a light ground); without
//! colour (a pipe, `NO_COLOR`) a dark module is a block character, as on paper.

use tempid_core::QrMatrix;

/// Black foreground on a bright white background.
const BLACK_ON_WHITE: &str = "\x1b[30;107m";
const RESET: &str = "\x1b[0m";

/// The code as text lines (no trailing newline). `colour`: wrap each line in black-on-white.
pub fn render(qr: &QrMatrix, colour: bool) -> String {
    let quiet = i64::from(qr.quiet_zone);
    let total = i64::from(qr.total_width());
    let dark = |x: i64, y: i64| {
        let (mx, my) = (x - quiet, y - quiet);
        match (u32::try_from(mx), u32::try_from(my)) {
            (Ok(mx), Ok(my)) => qr.is_dark(mx, my),
            _ => false,
        }
    };
    let mut lines = Vec::new();
    let mut y = 0;
    while y < total {
        let mut line = String::new();
        if colour {
            line.push_str(BLACK_ON_WHITE);
        }
        for x in 0..total {
            // The last line of an odd-height code has a light lower half.
            let top = dark(x, y);
            let bottom = y + 1 < total && dark(x, y + 1);
            line.push(match (top, bottom) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        if colour {
            line.push_str(RESET);
        }
        lines.push(line);
        y += 2;
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_module_rows_per_line_with_the_quiet_zone() {
        let qr = QrMatrix::encode("TID1:DEMO").expect("encode");
        let text = render(&qr, false);
        let lines: Vec<&str> = text.lines().collect();
        let total = qr.total_width() as usize;
        assert_eq!(lines.len(), total.div_ceil(2));
        assert!(lines.iter().all(|l| l.chars().count() == total));
        // The first two lines are quiet zone: blank.
        assert!(lines[0].chars().all(|c| c == ' ') && lines[1].chars().all(|c| c == ' '));
        // Line 2 holds module rows 0 and 1 of the code: the finder pattern's top edge is full.
        let row: Vec<char> = lines[2].chars().collect();
        assert_eq!(row[4], '█');
        assert!(render(&qr, true).starts_with(BLACK_ON_WHITE));
    }
}
