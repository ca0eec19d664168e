package extract

import "time"

// Naive timestamps (no Z, no offset) are wall-clock times of the source's
// time zone (CSVOptions.Location); they are stored as instants (UTC
// microseconds). Values with an offset keep it. Without a Location naive
// values are read as UTC.

// hasZone reports whether a timestamp text ends in Z or a ±HH[:MM] offset.
func hasZone(v []byte) bool {
	v = trimSpace(v)
	if len(v) == 0 {
		return false
	}
	if c := v[len(v)-1]; c == 'Z' || c == 'z' {
		return true
	}
	if len(v) <= 11 {
		return false // a date alone
	}
	for _, c := range v[11:] {
		if c == '+' || c == '-' {
			return true
		}
	}
	return false
}

// zoneCache converts wall-clock microseconds to UTC in one zone, caching
// the offset of the last hour seen (offsets change on hour boundaries in
// every zone in use).
type zoneCache struct {
	loc      *time.Location
	hour     int64 // wall-clock hour of the cached offset
	offset   int64 // microseconds to subtract
	hasCache bool
}

func newZoneCache(loc *time.Location) *zoneCache {
	if loc == nil || loc == time.UTC {
		return nil
	}
	return &zoneCache{loc: loc}
}

const microsPerHour = 3600 * 1_000_000

func (z *zoneCache) toUTC(wall int64) int64 {
	h := wall / microsPerHour
	if wall < 0 && wall%microsPerHour != 0 {
		h--
	}
	if !z.hasCache || h != z.hour {
		t := time.UnixMicro(h * microsPerHour).UTC()
		local := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, z.loc)
		z.offset = local.UnixMicro() - t.UnixMicro()
		z.hour, z.hasCache = h, true
	}
	return wall + z.offset
}
