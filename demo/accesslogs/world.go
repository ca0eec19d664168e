package accesslogs

import (
	"hash/fnv"
	"math"
)

// city is a place logins come from, with the public address ranges the demo
// assigns to it (fictitious allocations).
type city struct {
	Name, Country, ISO string
	Lat, Lon           float64
	Office             string // office NAT prefix "a.b.c."
	Mobile             string // mobile carrier prefix "a.b."
}

var (
	shanghai  = &city{"Shanghai", "China", "CN", 31.2304, 121.4737, "116.228.40.", "117.136."}
	hangzhou  = &city{"Hangzhou", "China", "CN", 30.2741, 120.1551, "115.236.12.", "112.17."}
	nanjing   = &city{"Nanjing", "China", "CN", 32.0603, 118.7969, "58.213.96.", "180.102."}
	beijing   = &city{"Beijing", "China", "CN", 39.9042, 116.4074, "123.125.71.", "111.196."}
	tianjin   = &city{"Tianjin", "China", "CN", 39.3434, 117.3616, "60.28.112.", "117.13."}
	guangzhou = &city{"Guangzhou", "China", "CN", 23.1291, 113.2644, "113.108.82.", "120.229."}
	shenzhen  = &city{"Shenzhen", "China", "CN", 22.5431, 114.0579, "119.123.66.", "183.14."}
	wuhan     = &city{"Wuhan", "China", "CN", 30.5928, 114.3055, "59.172.3.", "111.47."}
	changsha  = &city{"Changsha", "China", "CN", 28.2282, 112.9388, "175.6.10.", "223.152."}
	chengdu   = &city{"Chengdu", "China", "CN", 30.5728, 104.0668, "171.221.40.", "223.87."}
	chongqing = &city{"Chongqing", "China", "CN", 29.4316, 106.9123, "113.204.6.", "183.230."}
	xian      = &city{"Xi'an", "China", "CN", 34.3416, 108.9398, "113.140.9.", "113.139."}
	lanzhou   = &city{"Lanzhou", "China", "CN", 36.0611, 103.8343, "61.178.80.", "1.180."}
	shenyang  = &city{"Shenyang", "China", "CN", 41.8057, 123.4315, "59.46.22.", "42.84."}
	dalian    = &city{"Dalian", "China", "CN", 38.9140, 121.6147, "218.61.15.", "223.101."}

	// far places, used only by injected incidents
	harbin    = &city{"Harbin", "China", "CN", 45.8038, 126.5349, "221.207.5.", "1.58."}
	urumqi    = &city{"Urumqi", "China", "CN", 43.8256, 87.6168, "61.128.101.", "36.109."}
	haikou    = &city{"Haikou", "China", "CN", 20.0440, 110.1999, "124.225.60.", "36.101."}
	lhasa     = &city{"Lhasa", "China", "CN", 29.6520, 91.1721, "221.13.64.", "223.87."}
	frankfurt = &city{"Frankfurt am Main", "Germany", "DE", 50.1109, 8.6821, "85.214.132.", "91.64."}
	moscow    = &city{"Moscow", "Russia", "RU", 55.7558, 37.6173, "95.165.28.", "5.228."}
	saopaulo  = &city{"São Paulo", "Brazil", "BR", -23.5505, -46.6333, "177.71.207.", "189.40."}
	lagos     = &city{"Lagos", "Nigeria", "NG", 6.5244, 3.3792, "105.112.24.", "102.89."}
	amsterdam = &city{"Amsterdam", "Netherlands", "NL", 52.3676, 4.9041, "185.220.101.", "89.39."}
)

// regions map staff.csv regions to a home city and the cities people of the
// region travel to.
var regions = []struct {
	names  []string
	home   *city
	travel []*city
}{
	{[]string{"华东", "east", "east china", "shanghai"}, shanghai, []*city{hangzhou, nanjing}},
	{[]string{"华北", "north", "north china", "beijing"}, beijing, []*city{tianjin}},
	{[]string{"华南", "south", "south china", "guangzhou"}, guangzhou, []*city{shenzhen}},
	{[]string{"华中", "central", "central china", "wuhan"}, wuhan, []*city{changsha}},
	{[]string{"西南", "southwest", "chengdu"}, chengdu, []*city{chongqing}},
	{[]string{"西北", "northwest", "xi'an", "xian"}, xian, []*city{lanzhou}},
	{[]string{"东北", "northeast", "shenyang"}, shenyang, []*city{dalian}},
}

var farDomestic = []*city{harbin, urumqi, haikou, lhasa}

var foreign = []*city{frankfurt, moscow, saopaulo, lagos, amsterdam}

// regionOf picks the region of a staff.csv region value; unknown values are
// spread over the regions by hash.
func regionOf(name string) int {
	for i, r := range regions {
		for _, n := range r.names {
			if n == name || equalFoldASCII(n, name) {
				return i
			}
		}
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return int(h.Sum32() % uint32(len(regions)))
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// km is the great-circle distance between two cities.
func km(a, b *city) float64 {
	const r = 6371.0088
	rad := math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	h := math.Pow(math.Sin(dLat/2), 2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Pow(math.Sin(dLon/2), 2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

type agent struct{ browser, platform string }

var desktopAgents = []agent{
	{"Chrome 125", "Windows 10"}, {"Chrome 126", "Windows 10"}, {"Edge 125", "Windows 10"},
	{"Chrome 125", "Mac OSX"}, {"Safari 17", "Mac OSX"}, {"Firefox 127", "Windows 10"},
}

var mobileAgents = []agent{
	{"Salesforce for iOS 250.2", "iPhone iOS 17"}, {"Salesforce for Android 250.1", "Android 14"},
}

var attackerAgents = []agent{{"Python Requests 2.31", "Linux"}, {"Chrome 104", "Windows 10"}}

// benign setup changes an administrator makes now and then.
var benignPermSets = []string{"Sales Console User", "Report Builder", "Marketing User", "Knowledge Author", "Service Cloud User"}

const (
	adminProfile = "System Administrator"
	mfaPermSet   = "Multi-Factor Authentication for User Interface Logins"
)
