package listing

import (
	"net/netip"
	"net/url"
	"strings"
)

type urlError struct{ rule, message string }

// checkPhotoURL accepts https URLs whose host is a public name or address. It does no DNS lookup
// (the domain has no network): IP literals in every spelling net/netip reads, and names that by
// convention resolve locally, are refused; the site fetches photos from the browser, never from
// the server, so a name that resolves privately later cannot reach our network.
func checkPhotoURL(raw string) *urlError {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return &urlError{"url", "a photo must be an absolute https URL"}
	}
	if u.Scheme != "https" {
		return &urlError{"https", "a photo URL must use https"}
	}
	if u.User != nil {
		return &urlError{"url", "a photo URL must not carry credentials"}
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "" {
		return &urlError{"url", "a photo must be an absolute https URL"}
	}
	if privateHost(host) {
		return &urlError{"public-host", "a photo URL must not point at a private, loopback or link-local host"}
	}
	return nil
}

func privateHost(host string) bool {
	if addr, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		addr = addr.Unmap()
		return !addr.IsGlobalUnicast() || addr.IsPrivate() || addr.IsLoopback() ||
			addr.IsLinkLocalUnicast() || addr.IsUnspecified() || sharedAddressSpace(addr)
	}
	// Legacy numeric spellings (http://2130706433/, 0x7f.1, 017700000001) that browsers and
	// resolvers still read as addresses: a host made only of digits, dots and hex is refused.
	if numericLike(host) {
		return true
	}
	if !strings.Contains(host, ".") {
		return true // single-label names resolve on the local network (intranet, localhost)
	}
	for _, suffix := range []string{".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa", ".localdomain", ".corp"} {
		if strings.HasSuffix(host, suffix) {
			return true
		}
	}
	return false
}

// sharedAddressSpace is 100.64.0.0/10 (carrier-grade NAT), private in practice.
func sharedAddressSpace(a netip.Addr) bool {
	return netip.MustParsePrefix("100.64.0.0/10").Contains(a)
}

func numericLike(host string) bool {
	labels := strings.Split(host, ".")
	for _, l := range labels {
		if l == "" {
			return false
		}
		isNum := true
		for i, ch := range l {
			switch {
			case ch >= '0' && ch <= '9':
			case i == 1 && (ch == 'x') && l[0] == '0':
			case len(l) > 1 && l[1] == 'x' && ((ch >= 'a' && ch <= 'f') && i > 1):
			default:
				isNum = false
			}
		}
		if !isNum {
			return false
		}
	}
	return true
}

// iso3166 lists the officially assigned ISO 3166-1 alpha-2 codes.
const iso3166 = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
	"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
	"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
	"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT " +
	"MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
	"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG " +
	"UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"

func knownCountry(c string) bool {
	return len(c) == 2 && strings.Contains(" "+iso3166+" ", " "+c+" ")
}
