package rules

import (
	"fmt"
	"testing"
	"time"
)

// testToday is the fixed "today" of validator tests.
var testToday = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)

func testEnv(t testing.TB) *validatorEnv {
	t.Helper()
	e, err := newValidatorEnv(testToday)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// withCheck appends the GB 11643 check character to a 17-digit body.
func withCheck(body string) string {
	c, _ := GB11643CheckChar(body)
	return body + string(c)
}

func TestValidatorsKnownAnswers(t *testing.T) {
	env := testEnv(t)
	table := validatorTable()
	cases := []struct {
		validator string
		good, bad []string
	}{
		{"payment_card",
			[]string{"4111111111111111", "4222222222222", "5555555555554444", "2223003122003222", "378282246310005",
				"6011111111111117", "3530111333300000", "6222021234567894", "6217001234567890122", "30569309025904",
				"4111 1111 1111 1111", "4111-1111-1111-1111"},
			[]string{"4111111111111112", "1234567812345670", "3782822463100050", "41111111111111111", "4111x1111111111",
				"", "0", "13812345678", "0000000000000000"}},
		{"us_ssn", []string{"123-45-6789", "078 05 1120"}, []string{"666-45-6789", "123-00-6789", "900-12-3456", "123456789", "123-45-0000"}},
		{"uk_nino", []string{"AB 12 34 56 C", "ZX123456A", "ZT 01 87 75"}, []string{"QQ123456C", "GB123456A", "AB123456E", "AB12345C", "ZT018775", "QQ 01 87 75"}},
		{"ca_sin", []string{"046 454 286", "046-454-286"}, []string{"046 454 287", "846 454 286", "04645428"}},
		{"fr_nir", []string{"2 69 05 49 588 157 80", "269054958815780"}, []string{"2 69 05 49 588 157 81", "369054958815780"}},
		{"it_codice_fiscale", []string{"RSSMRA85T10A562S", "rssmra85t10a562s"}, []string{"RSSMRA85T10A562T", "RSSMRA85Z10A562S", "RSSMRA85T10A56"}},
		{"es_dni", []string{"12345678Z", "X1234567L", "12.345.678-Z"}, []string{"12345678A", "W1234567L", "1234567Z"}},
		{"de_tax_id", []string{"86095742719", "47 036 892 816"}, []string{"86095742718", "06095742719", "12345678901"}},
		{"br_cpf", []string{"529.982.247-25", "52998224725", "308.271.618-08"}, []string{"529.982.247-26", "111.111.111-11", "5299822472"}},
		{"in_aadhaar", []string{"2341 2341 2346", "234123412346"}, []string{"2341 2341 2345", "1341 2341 2346"}},
		{"hk_id", []string{"A123456(3)", "A1234563"}, []string{"A123456(4)", "1234567"}},
		{"tw_id", []string{"A123456789"}, []string{"A123456788", "A323456789"}},
		{"sg_nric", []string{"S1234567D"}, []string{"S1234567A", "X1234567D"}},
		{"za_id", []string{"8001015009087", "8502145123086"}, []string{"8001015009088", "8013015009083", "8001015003087", "800101500908"}},
		{"dk_cpr", []string{"190641-4941", "010203-1234"}, []string{"1906414941", "320641-4941", "191341-4941", "190641-494"}},
		{"se_personnummer", []string{"811228-9874", "19811228-9874", "811288-9871", "121212+1212"}, []string{"811228-9875", "8112289874", "811328-9874"}},
		{"no_fodselsnummer", []string{"15058512343", "01019010046"}, []string{"15058512344", "15138512343", "1505851234"}},
		{"fi_hetu", []string{"131052-308T", "010110A1230", "131052Y308T"}, []string{"131052-308U", "131052Q308T", "311352-308T", "131052-30T"}},
		{"pl_pesel", []string{"44051401359", "02270803624"}, []string{"44051401358", "44131401350", "4405140135"}},
		{"nl_bsn", []string{"111 222 333", "1112.22.333"}, []string{"111222333", "111 222 334", "001 222 333"}},
		{"be_national_number", []string{"85.07.30-033.28", "17.05.15-123.42"}, []string{"85.07.30-033.29", "85073003328", "85.13.30-033.28"}},
		{"national_id", []string{"123-45-6789", "529.982.247-25", "RSSMRA85T10A562S", "8001015009087", "811228-9874", "131052-308T", "44051401359"},
			[]string{"13812345678", "hello", "2024-01-01", "5.70611E+12"}},
		{"url", []string{"https://www.example.com/a?b=1", "www.example.org", "MarathonDancing.gl", "LostMillions.com.pt", "http://192.168.0.1:8080/x"},
			[]string{"photo.jpg", "hello world", "3.14", "mailto:x@example.com", "user@example.com", "Mr."}},
		{"geo_position", []string{"42.35663, -71.11095", "(-26.22096, 28.283398)", "77.377518", "-67.0155"}, []string{"98.9", "191.123456", "95.0000, 10.0000", "abc"}},
		{"country", []string{"CN", "CHN", "China", "中国", "Deutschland", "Afganistán", "Россия", "united kingdom"}, []string{"XX", "Atlantis", "Beijing", "QE"}},
		{"region", []string{"California", "CA", "广东省", "Quebec", "NSW", "Bayern", "DE-BY", "Île-de-France", "Jihočeský kraj"}, []string{"Gauteng1", "Atlantis", "Boston", "Q", "12", "DE-ZZ"}},
		{"region_shape", []string{"Bavaria", "BY", "NSW", "2A", "DE-BY", "东城区", "Île-de-France"}, []string{"12", "Q", "by", "13812345678", "a1", "x@y.z", "2024-01-01"}},
		{"city", []string{"München", "Reykjavík", "Boston, MA", "서울", "Москва"}, []string{"Marketing", "John Smith", "12345"}},
		{"name_shape", []string{"Mary", "Mary Smith", "J. R. Smith", "O'Brien", "Hamanová"}, []string{"mary", "13812345678", "A B C D E", "Smith & Sons 2"}},
		{"username", []string{"wasco1982", "jane.doe", "j_doe-2", "Wasco1982", "ayu"}, []string{"ab", "jane doe", "123456", "张三", "AFG", ".af", "00Q5g000", "GB82WEST12345698765432"}},
		{"aba_routing", []string{"011000015", "021000021"}, []string{"011000016", "991000015", "12345"}},
		{"bank_account", []string{"6222021234567894", "12345678", "011000015"}, []string{"1234567", "12345678901234567890", "abc"}},
		{"address_shape", []string{"Steystr. 149, 56086 Wittenberg", "千葉県山武郡九十九里町台場32丁目6番11号", "广东省深圳市南山区"}, []string{"hello", "Boston", "13812345678"}},
		{"text_shape", []string{"Gertz Dobes GmbH", "Noel", "七喜传媒"}, []string{"1", "12345", "--"}},
		{"id_shape", []string{"5.70611E+12", "WK48391724", "190641-4941", "ZT 01 87 75"}, []string{"abc", "12", "hello world"}},
		{"card_shape", []string{"5.54563E+15", "4111 1111 1111 1111"}, []string{"5.5E+3", "12345", "visa"}},
		{"card_security_code", []string{"123", "0042"}, []string{"12", "12345", "12a"}},
		{"luhn", []string{"79927398713", "0000000000"}, []string{"79927398710", "7992739871a", "1"}},
		{"gb11643",
			[]string{"11010519491231002X", "11010519491231002x", "44030619850612301X", "320102199302151239",
				withCheck("51010720001010402"), withCheck("81000019900101123")},
			[]string{"110105194912310021", withCheck("11010519491331002"), withCheck("11010519490229002"),
				withCheck("99010519491231002"), withCheck("11010520301231002"), withCheck("11010518991231002"),
				"11010519491231002", "1101051949123100XX", "110105491231002"}},
		{"gb11643_15", []string{"110105491231002", "440306850612301"}, []string{"110105491331002", "990105491231002", "11010549123100X", "11010519491231002X"}},
		{"gb32100", []string{"9144030071526726XG", "9144030071526726xg", "91110108551385082Q", "52100000500021676N"},
			[]string{"9144030071526726XA", "9144030071526726IG", "914403007152672", "Z144030071526726XG", "91000000715267260A"}},
		{"iban", []string{"GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000",
			"FR1420041010050500013M02606", "NL91ABNA0417164300", "nl91abna0417164300"},
			[]string{"GB82WEST1234569876543", "GB83WEST12345698765432", "ZZ82WEST12345698765432", "GBXXWEST12345698765432", "GB82WEST1234569876543!"}},
		{"cn_mobile", []string{"13812345678", "+86 138 1234 5678", "138-1234-5678", "0086 13812345678", "008613812345678",
			"+8613812345678", "8613812345678", "(+86)19912345678", "14512345678", "16212345678", "17012345678", "19012345678"},
			[]string{"14012345678", "15412345678", "16312345678", "17912345678", "19412345678", "12345678901", "1381234567",
				"138123456789", "138 1234 567a", "+1 13812345678", "++8613812345678", "10012345678"}},
		{"cn_landline", []string{"010-62345678", "(0755)87654321", "0755-8765432", "+86 10 6234 5678", "02087654321"},
			[]string{"011-12345678", "010-1234567", "0000-1234567", "13812345678", "010-123"}},
		{"intl_phone", []string{"+44 20 7946 0958", "+1 212 555 0123", "0044 20 7946 0958", "+86 13812345678", "+81 3-1234-5678"},
			[]string{"+1 112 555 0123", "+999 1234567", "+86 12345678901", "44 20 7946 0958", "+44 1"}},
		{"nanp_phone", []string{"(212) 555-0123", "212-555-0123", "1-212-555-0123", "212.555.0123"},
			[]string{"2125550123", "(112) 555-0123", "(212) 155-0123", "+44 212 555 0123"}},
		{"email", []string{"a@example.com", "张伟@例子.中国", "user@example.xn--fiqs8s", "first.last+tag@sub.example.co.uk", "o'brien@example.ie"},
			[]string{"user@localhost", ".user@example.com", "user.@example.com", "us..er@example.com", "user@-example.com",
				"user@example.c", "user@@example.com", "user name@example.com", "@example.com", "user@", "user@exa_mple.com"}},
		{"ip", []string{"192.168.0.1", "2001:db8::1", "::1", "8.8.8.8"}, []string{"256.0.0.1", "1.2.3", "fe80::1%eth0", "01.2.3.4", "abc"}},
		{"ipv4", []string{"10.0.0.1"}, []string{"2001:db8::1"}},
		{"ipv6", []string{"2001:db8::1"}, []string{"10.0.0.1"}},
		{"date", []string{"2006-01-02", "2006/1/2", "2006.01.02", "20060102", "2006年1月2日", "2006年01月02号", "02/01/2006",
			"12/31/2006", "31.12.2006", "Jan 2, 2006", "2 January 2006", "02-Jan-2006", "January 2nd 2006", "2006-01-02 15:04:05",
			"2006-01-02T15:04:05Z"},
			[]string{"2006-13-02", "2006-02-30", "13/13/2006", "2006", "hello", "1700-01-01", "Foo 2, 2006", "2006-01-02-03"}},
		{"birth_date", []string{"1985-06-12", "2020-01-01", "1910-01-01"}, []string{"2027-01-01", "1900-01-01", "1985-02-30"}},
		{"adult_birth_date", []string{"1985-06-12", "2010-10-31"}, []string{"2020-01-01", "2011-01-01", "1900-01-01"}},
		{"age", []string{"0", "35", "120", "35岁", "35周岁"}, []string{"121", "-1", "3.5", "", "abc", "1000"}},
		{"cn_postal_code", []string{"100000", "518057", "010010"}, []string{"999999", "900000", "10000", "1000000", "abcdef"}},
		{"postal_code", []string{"100000", "94105", "94105-1234", "SW1A 1AA", "EC1A 1BB", "W1A 0AX", "M1 1AE", "K1A 0B1", "100-0001", "1011 AB"},
			[]string{"999999", "1234", "ABC", "SW1A", "K1A0B", "0123 AB"}},
		{"cn_name", []string{"张伟", "欧阳娜娜", "诸葛亮", "王小明", "买买提·艾力", "司马相如"}, []string{"张", "北京", "张伟伟伟伟", "Zhang Wei", "张3"}},
		{"western_name", []string{"Mary Smith", "Zhang Wei", "Wei ZHANG", "SMITH, John", "John F. Kennedy", "José García",
			"Mary", "Mary Ann Jo Smith", "Dr. Mary Smith Jr.", "Smith, Jr.", "J. Smith", "Dr. Gabriel da Paz", "Caroline de Lacroix", "Ludwig van der Berg"},
			[]string{"mary smith", "Wireless Mouse", "Mary Sm1th", "Simple Solutions", "J. K.", "A B C D E", "Senior Broker", "Madison Investments"}},
		{"person_name", []string{"张伟", "Mary Smith", "个人户名:张三", "姓名：李四", "小王", "Gómez"}, []string{"", "有限公司", "备注:发货", "小孩子"}},
		{"cn_address", []string{"北京市朝阳区建国路88号", "广东省深圳市南山区科技园路1号3栋201室", "浦东新区世纪大道100号"},
			[]string{"北京市", "张伟", "请尽快发货谢谢。", "朝阳区"}},
		{"western_address", []string{"221B Baker Street, London", "1600 Amphitheatre Parkway", "Hauptstraße 5, Berlin", "10 Rue de Rivoli"},
			[]string{"Baker Street", "London", "12345", "Mary Smith"}},
		{"cn_province", []string{"广东省", "广东", "北京", "北京市", "内蒙古自治区", "Guangdong", "Inner Mongolia", "香港"},
			[]string{"广州市", "中国", "California", ""}},
		{"city", []string{"广州市", "深圳", "广东省广州市", "广东广州", "Shanghai", "London", "New York", "延边州"},
			[]string{"广东省", "火星", "13812345678", "广东省火星市"}},
		{"cn_ethnicity", []string{"汉族", "汉", "维吾尔族", "蒙古族"}, []string{"中国", "外星族", ""}},
		{"organization_name", []string{"北京字节跳动科技有限公司", "中国工商银行", "清华大学", "Acme Ltd", "Siemens AG", "腾讯科技（深圳）有限公司", "Acme, Inc.",
			"Woods, Williams and Hall", "Orlando, Martini e Coppola s.r.l.", "Klein et Fils", "Tejedor and Sons", "株式会社 若松", "Söding Koch II e.G.", "Ribeiro Cavalcanti Ltda."},
			[]string{"张伟", "公司", "apple", "Ltd", "Smith, John", "Mary and John", "Fox-Salazar"}},
		{"contains_pii", []string{"客户要求回电 13812345678 周五前", "请拨打13812345678联系", "send the contract to a.b@example.com",
			"call back on +44 20 7946 0958", "身份证 11010519491231002X 已核验", "卡号 4111 1111 1111 1111 已登记"},
			[]string{"客户很满意", "13812345678", "订单号 12024010100123 已发货", "version 1.2.3.4 released", "SKU-8842-ZX restocked", "short"}},
	}
	for _, c := range cases {
		def, ok := table[c.validator]
		if !ok {
			t.Fatalf("no validator %q", c.validator)
		}
		f := def.fn(env)
		for _, v := range c.good {
			if !f(v) {
				t.Errorf("%s(%q) = false, want true", c.validator, v)
			}
		}
		for _, v := range c.bad {
			if f(v) {
				t.Errorf("%s(%q) = true, want false", c.validator, v)
			}
		}
	}
	// Every validator has known answers.
	tested := map[string]bool{}
	for _, c := range cases {
		tested[c.validator] = true
	}
	for name := range table {
		if !tested[name] && name != "phone" && name != "address" {
			t.Errorf("validator %s has no known-answer test", name)
		}
	}
}

func TestParseDateValues(t *testing.T) {
	for in, want := range map[string]string{
		"2006-01-02":           "2006-01-02",
		"2006年1月2日":            "2006-01-02",
		"20060102":             "2006-01-02",
		"02/01/2006":           "2006-01-02", // day first when both work
		"12/31/2006":           "2006-12-31", // month first when the day is > 12
		"Jan 2, 2006":          "2006-01-02",
		"2nd January 2006":     "2006-01-02",
		"2006-01-02T15:04:05Z": "2006-01-02",
	} {
		got, ok := ParseDate(in)
		if !ok || got.Format(time.DateOnly) != want {
			t.Errorf("ParseDate(%q) = %v, %v; want %s", in, got, ok, want)
		}
	}
}

func TestFindInText(t *testing.T) {
	s := "联系 13812345678 或 a.b@example.com，身份证11010519491231002X。"
	got := FindInText(s)
	var kinds []string
	for _, f := range got {
		if f.Start < 0 || f.End > len(s) || f.Start >= f.End {
			t.Fatalf("bad span %+v", f)
		}
		kinds = append(kinds, f.Kind+"="+s[f.Start:f.End])
	}
	want := "[email=a.b@example.com phone=13812345678 cn_resident_id=11010519491231002X]"
	if fmt.Sprint(kinds) != want {
		t.Errorf("FindInText = %v, want %s", kinds, want)
	}
}

func TestValidatorsListed(t *testing.T) {
	vs := Validators()
	if len(vs) != len(validatorTable()) {
		t.Fatalf("Validators() lists %d, table has %d", len(vs), len(validatorTable()))
	}
	for i, v := range vs {
		if v.Doc == "" {
			t.Errorf("validator %s has no doc", v.Name)
		}
		if i > 0 && vs[i-1].Name >= v.Name {
			t.Errorf("not sorted at %s", v.Name)
		}
	}
}
