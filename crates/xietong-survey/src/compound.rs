//! A structural check of OLE compound files — the container of old `.xls` workbooks — run before
//! calamine opens one.
//!
//! Why: calamine 0.38 follows a file's sector chains without a bound, so a damaged `.xls` whose
//! chain loops back on itself makes it allocate until memory runs out, and a damaged dimensions
//! record makes it reserve terabytes for cells; neither is a panic that `catch_unwind` could
//! turn into an error (both were found by fuzzing, docs/fuzzing.md). A valid file never visits a
//! sector twice, never points outside itself, never has a stream longer than itself, and never
//! declares more cells than the BIFF8 format allows. Checking exactly the chains calamine will
//! follow, here, bounds everything it later allocates by the file's size.
//!
//! The layout follows the published MS-CFB specification (header, DIFAT, FAT, directory, mini
//! stream) and MS-XLS for the record stream; only what calamine reads is checked.

/// The eight bytes every compound file starts with.
pub const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
/// Sector numbers at or above this are markers (end of chain, free, FAT or DIFAT sector).
const MAX_REGULAR: u32 = 0xFFFF_FFFA;
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
const DIFAT_SECTOR: u32 = 0xFFFF_FFFC;
/// Streams shorter than this live in the mini stream, in 64-byte mini sectors.
const MINI_CUTOFF: usize = 4096;
const MINI_SECTOR: usize = 64;
/// The most cells a BIFF8 worksheet can hold (65,536 rows × 256 columns); a dimensions record
/// declaring more is damaged, and calamine would reserve memory for all of them.
pub const MAX_XLS_CELLS: usize = 65_536 * 256;

/// Whether `bytes` begins like a compound file.
pub fn is_compound_file(bytes: &[u8]) -> bool {
    bytes.starts_with(&SIGNATURE)
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// The file's sectors and allocation table, as far as the checks need them.
struct Layout<'a> {
    bytes: &'a [u8],
    sector: usize,
    /// Sectors present in the file after the header (a short last one counts).
    sectors: usize,
    fat: Vec<u32>,
}

impl Layout<'_> {
    fn sector_bytes(&self, id: u32) -> &[u8] {
        let start = (id as usize + 1) * self.sector;
        &self.bytes[start..(start + self.sector).min(self.bytes.len())]
    }

    /// Follow the chain from `start` as calamine does (until the end marker, or until `limit`
    /// bytes are covered) and return the sectors visited; an error if the chain leaves the file
    /// or comes back to a sector it has visited.
    fn chain(&self, what: &str, start: u32, limit: usize) -> Result<Vec<u32>, String> {
        let mut seen = vec![false; self.sectors];
        let mut out = Vec::new();
        let mut covered = 0usize;
        let mut id = start;
        while id != END_OF_CHAIN {
            let i = id as usize;
            if i >= self.sectors || i >= self.fat.len() {
                return Err(format!(
                    "the {what} points to sector {id}, beyond the end of the file"
                ));
            }
            if std::mem::replace(&mut seen[i], true) {
                return Err(format!("the {what} loops back to sector {id}"));
            }
            out.push(id);
            covered += self.sector_bytes(id).len();
            if covered >= limit {
                break;
            }
            id = self.fat[i];
        }
        Ok(out)
    }

    fn read_chain(&self, chain: &[u32], len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len.min(chain.len() * self.sector));
        for &id in chain {
            out.extend_from_slice(self.sector_bytes(id));
        }
        out.truncate(len);
        out
    }
}

/// One 128-byte directory entry: name, first sector and length.
struct Entry {
    name: String,
    start: u32,
    len: usize,
}

/// Check the compound file in `bytes`; on failure say what is damaged.
pub fn check(bytes: &[u8]) -> Result<(), String> {
    if bytes.len() < 512 || !is_compound_file(bytes) {
        return Err("not a compound file (the header is missing or too short)".into());
    }
    let sector = match u16_at(bytes, 30) {
        9 => 512usize,
        12 => 4096,
        s => return Err(format!("sector shift {s} in the header (expected 9 or 12)")),
    };
    if bytes.len() < sector {
        return Err("the file is shorter than its header".into());
    }
    let sectors = (bytes.len() - sector).div_ceil(sector);
    let mut layout = Layout {
        bytes,
        sector,
        sectors,
        fat: Vec::new(),
    };
    let fat_sectors = fat_sector_ids(&layout)?;
    let mut fat = Vec::with_capacity(fat_sectors.len() * sector / 4);
    for id in fat_sectors {
        fat.extend(
            layout
                .sector_bytes(id)
                .chunks_exact(4)
                .map(|c| u32_at(c, 0)),
        );
    }
    layout.fat = fat;

    let dir_chain = layout.chain("directory chain", u32_at(bytes, 48), usize::MAX)?;
    let dir = layout.read_chain(&dir_chain, usize::MAX);
    let entries: Vec<Entry> = dir.chunks_exact(128).map(|e| entry(e, sector)).collect();
    let root = entries
        .first()
        .ok_or("the directory is empty (no root entry)")?;
    let file_len = bytes.len();
    let too_long = |e: &Entry| {
        format!(
            "stream '{}' claims {} bytes, more than the whole file ({file_len} bytes)",
            e.name, e.len
        )
    };

    // The mini stream and its allocation table, read whenever the header declares a mini FAT.
    let mini_fat_sectors = u32_at(bytes, 64) as usize;
    let (mini_fat, mini_sectors) = if mini_fat_sectors > 0 {
        if root.len > file_len {
            return Err(too_long(root));
        }
        layout.chain("mini stream", root.start, root.len)?;
        let mini_len = mini_fat_sectors.saturating_mul(sector);
        if mini_len > file_len {
            return Err(format!(
                "the header declares {mini_fat_sectors} mini FAT sectors, more than the file holds"
            ));
        }
        let chain = layout.chain("mini FAT chain", u32_at(bytes, 60), mini_len)?;
        let table = layout.read_chain(&chain, mini_len);
        let mini_fat: Vec<u32> = table.chunks_exact(4).map(|c| u32_at(c, 0)).collect();
        (mini_fat, root.len.div_ceil(MINI_SECTOR))
    } else {
        (Vec::new(), 0)
    };

    // Every stream calamine may open by name: each chain must end inside the file, loop-free.
    for e in entries.iter().skip(1).filter(|e| e.len > 0) {
        if e.len > file_len {
            return Err(too_long(e));
        }
        if e.len < MINI_CUTOFF {
            mini_chain(&e.name, e.start, e.len, &mini_fat, mini_sectors)?;
        } else {
            layout.chain(&format!("stream '{}'", e.name), e.start, e.len)?;
        }
    }

    // The workbook stream's dimensions records, which calamine turns into a reservation.
    if let Some(wb) = entries.iter().skip(1).find(|e| {
        e.len >= MINI_CUTOFF
            && (e.name.eq_ignore_ascii_case("Workbook") || e.name.eq_ignore_ascii_case("Book"))
    }) {
        let chain = layout.chain("workbook stream", wb.start, wb.len)?;
        check_dimensions(&layout.read_chain(&chain, wb.len))?;
    }
    Ok(())
}

/// The FAT's own sectors: 109 listed in the header, the rest in the DIFAT chain (whose sectors
/// each end with the number of the next one).
fn fat_sector_ids(layout: &Layout) -> Result<Vec<u32>, String> {
    let mut ids: Vec<u32> = layout.bytes[76..512]
        .chunks_exact(4)
        .map(|c| u32_at(c, 0))
        .collect();
    let mut seen = vec![false; layout.sectors];
    let mut next = u32_at(layout.bytes, 68);
    while next < MAX_REGULAR {
        let i = next as usize;
        if i >= layout.sectors {
            return Err(format!(
                "the DIFAT chain points to sector {next}, beyond the end of the file"
            ));
        }
        if std::mem::replace(&mut seen[i], true) {
            return Err(format!("the DIFAT chain loops back to sector {next}"));
        }
        ids.extend(
            layout
                .sector_bytes(next)
                .chunks_exact(4)
                .map(|c| u32_at(c, 0)),
        );
        next = ids.pop().unwrap_or(END_OF_CHAIN);
    }
    let ids: Vec<u32> = ids.into_iter().filter(|&id| id < DIFAT_SECTOR).collect();
    if let Some(bad) = ids.iter().find(|&&id| id as usize >= layout.sectors) {
        return Err(format!(
            "a FAT sector is listed at {bad}, beyond the end of the file"
        ));
    }
    Ok(ids)
}

fn entry(e: &[u8], sector: usize) -> Entry {
    let units: Vec<u16> = e[..64]
        .chunks_exact(2)
        .map(|c| u16_at(c, 0))
        .take_while(|&u| u != 0)
        .collect();
    let len = if sector == 512 {
        u32_at(e, 120) as usize
    } else {
        usize::try_from(u64::from_le_bytes(e[120..128].try_into().unwrap_or([0; 8])))
            .unwrap_or(usize::MAX)
    };
    Entry {
        name: String::from_utf16_lossy(&units),
        start: u32_at(e, 116),
        len,
    }
}

/// A short stream's chain in the mini FAT: inside the mini stream, loop-free.
fn mini_chain(
    name: &str,
    start: u32,
    len: usize,
    mini_fat: &[u32],
    mini_sectors: usize,
) -> Result<(), String> {
    let mut seen = vec![false; mini_sectors];
    let (mut id, mut covered) = (start, 0usize);
    while id != END_OF_CHAIN && covered < len {
        let i = id as usize;
        if i >= mini_sectors || i >= mini_fat.len() {
            return Err(format!(
                "stream '{name}' points to mini sector {id}, beyond the end of the mini stream"
            ));
        }
        if std::mem::replace(&mut seen[i], true) {
            return Err(format!("stream '{name}' loops back to mini sector {id}"));
        }
        covered += MINI_SECTOR;
        id = mini_fat[i];
    }
    Ok(())
}

/// Cell records (number, label, RK, shared-string label, bool/error, formula, rich string,
/// blank) start with the cell's row and column; the multiple-cell ones (MulRk, MulBlank) end with
/// their last column.
const CELL_RECORDS: [u16; 8] = [
    0x0203, 0x0204, 0x027E, 0x00FD, 0x0205, 0x0006, 0x00D6, 0x0201,
];
const MULTI_CELL_RECORDS: [u16; 2] = [0x00BD, 0x00BE];

/// The rows × columns box spanned by one worksheet's cells: calamine allocates a dense grid of
/// that size, so cells at far-apart positions (a column beyond the format's 256) exhaust memory.
#[derive(Default)]
struct Extent {
    rows: Option<(u32, u32)>,
    cols: Option<(u32, u32)>,
}

impl Extent {
    fn add(&mut self, row: u32, col_first: u32, col_last: u32) {
        let grow = |r: Option<(u32, u32)>, lo: u32, hi: u32| {
            Some(r.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))))
        };
        self.rows = grow(self.rows, row, row);
        self.cols = grow(self.cols, col_first.min(col_last), col_first.max(col_last));
    }

    fn check(&self) -> Result<(), String> {
        if let (Some((r0, r1)), Some((c0, c1))) = (self.rows, self.cols) {
            let (rows, cols) = ((r1 - r0) as usize + 1, (c1 - c0) as usize + 1);
            if rows.saturating_mul(cols) > MAX_XLS_CELLS {
                return Err(format!(
                    "a worksheet's cells span {rows} rows × {cols} columns, more than an .xls worksheet can hold (65,536 × 256)"
                ));
            }
        }
        Ok(())
    }
}

/// Walk the BIFF records (type, length, data) and refuse a worksheet that declares (dimensions
/// record, type 0x0200, computed as calamine computes it) or spans (its cells' positions) more
/// cells than a BIFF8 worksheet can hold.
fn check_dimensions(stream: &[u8]) -> Result<(), String> {
    let mut at = 0usize;
    let mut extent = Extent::default();
    while at + 4 <= stream.len() {
        let typ = u16_at(stream, at);
        let len = u16_at(stream, at + 2) as usize;
        let data = &stream[at + 4..(at + 4 + len).min(stream.len())];
        if typ == 0x0809 {
            // A new substream (worksheet) begins: check the one before.
            extent.check()?;
            extent = Extent::default();
        } else if CELL_RECORDS.contains(&typ) && data.len() >= 4 {
            let col = u16_at(data, 2) as u32;
            extent.add(u16_at(data, 0) as u32, col, col);
        } else if MULTI_CELL_RECORDS.contains(&typ) && data.len() >= 6 {
            let last = u16_at(data, data.len() - 2) as u32;
            extent.add(u16_at(data, 0) as u32, u16_at(data, 2) as u32, last);
        }
        if typ == 0x0200 {
            let (first_row, last_row, mut first_col, last_col) = match data.len() {
                10 => (
                    u16_at(data, 0) as u32,
                    u16_at(data, 2) as u32,
                    u16_at(data, 4) as u32,
                    u16_at(data, 6) as u32,
                ),
                14 | 16 => (
                    u32_at(data, 0),
                    u32_at(data, 4),
                    u16_at(data, 8) as u32,
                    u16_at(data, 10) as u32,
                ),
                _ => (0, 0, 0, 0),
            };
            if first_col > 0xFF || last_col < first_col {
                first_col = 0;
            }
            if last_row >= 1 && last_col >= 1 {
                let rows = (last_row - 1).wrapping_sub(first_row).wrapping_add(1) as usize;
                let cols = (last_col - 1).wrapping_sub(first_col).wrapping_add(1) as usize;
                let cells = rows.saturating_mul(cols);
                if cells > MAX_XLS_CELLS {
                    return Err(format!(
                        "a worksheet declares {rows} rows × {cols} columns, more than an .xls worksheet can hold (65,536 × 256)"
                    ));
                }
            }
        }
        at += 4 + len;
    }
    extent.check()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal compound file with 512-byte sectors: sector 0 is the FAT, sector 1 the
    /// directory (root entry only), and the FAT entries given.
    fn file(fat: &[u32], dir_start: u32) -> Vec<u8> {
        let mut b = vec![0u8; 512 * 3];
        b[..8].copy_from_slice(&SIGNATURE);
        b[26..28].copy_from_slice(&3u16.to_le_bytes());
        b[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes());
        b[30..32].copy_from_slice(&9u16.to_le_bytes());
        b[32..34].copy_from_slice(&6u16.to_le_bytes());
        b[44..48].copy_from_slice(&1u32.to_le_bytes());
        b[48..52].copy_from_slice(&dir_start.to_le_bytes());
        b[60..64].copy_from_slice(&END_OF_CHAIN.to_le_bytes());
        b[68..72].copy_from_slice(&END_OF_CHAIN.to_le_bytes());
        for i in 0..109 {
            let v = if i == 0 { 0u32 } else { 0xFFFF_FFFF };
            b[76 + 4 * i..80 + 4 * i].copy_from_slice(&v.to_le_bytes());
        }
        for (i, v) in fat.iter().enumerate() {
            b[512 + 4 * i..516 + 4 * i].copy_from_slice(&v.to_le_bytes());
        }
        let root: Vec<u8> = "Root Entry"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        b[1024..1024 + root.len()].copy_from_slice(&root);
        b[1024 + 66] = 5;
        b[1024 + 116..1024 + 120].copy_from_slice(&END_OF_CHAIN.to_le_bytes());
        b
    }

    #[test]
    fn a_well_formed_minimal_file_passes() {
        check(&file(&[0xFFFF_FFFD, END_OF_CHAIN], 1)).unwrap();
    }

    #[test]
    fn a_directory_chain_that_loops_is_refused() {
        let e = check(&file(&[0xFFFF_FFFD, 1], 1)).unwrap_err();
        assert!(e.contains("loops back to sector 1"), "{e}");
    }

    #[test]
    fn a_chain_leaving_the_file_is_refused() {
        let e = check(&file(&[0xFFFF_FFFD, 7], 1)).unwrap_err();
        assert!(e.contains("sector 7, beyond the end"), "{e}");
    }

    #[test]
    fn oversized_dimensions_are_refused_and_biff8_maximum_passes() {
        let record = |rows: u32, cols: u16| {
            let mut r = vec![0x00, 0x02, 14, 0];
            r.extend_from_slice(&0u32.to_le_bytes());
            r.extend_from_slice(&rows.to_le_bytes());
            r.extend_from_slice(&0u16.to_le_bytes());
            r.extend_from_slice(&cols.to_le_bytes());
            r.extend_from_slice(&0u16.to_le_bytes());
            r
        };
        check_dimensions(&record(65_536, 256)).unwrap();
        let e = check_dimensions(&record(4_000_000, 256)).unwrap_err();
        assert!(e.contains("4000000 rows × 256 columns"), "{e}");
        // A last row before the first wraps around in calamine's arithmetic: refused too.
        let mut r = record(0, 10);
        r[4..8].copy_from_slice(&5u32.to_le_bytes());
        r[8..12].copy_from_slice(&2u32.to_le_bytes());
        assert!(check_dimensions(&r).is_err());
    }

    #[test]
    fn cells_spanning_more_than_the_format_holds_are_refused() {
        let number = |row: u16, col: u16| {
            let mut r = vec![0x03, 0x02, 14, 0];
            r.extend_from_slice(&row.to_le_bytes());
            r.extend_from_slice(&col.to_le_bytes());
            r.extend_from_slice(&[0; 10]);
            r
        };
        let mut ok = number(0, 0);
        ok.extend(number(65_535, 255));
        check_dimensions(&ok).unwrap();
        let mut wide = number(0, 0);
        wide.extend(number(60_000, 40_000));
        let e = check_dimensions(&wide).unwrap_err();
        assert!(e.contains("60001 rows × 40001 columns"), "{e}");
        // The same cells in two worksheets (a BOF record between them) are each within bounds.
        let mut two = number(0, 0);
        two.extend(number(60_000, 200));
        two.extend([0x09, 0x08, 0, 0]);
        two.extend(number(0, 40_000));
        check_dimensions(&two).unwrap();
    }
}
