package demo

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vigil-dg/vigil/internal/atomicfile"
	"github.com/vigil-dg/vigil/rules/presets"
)

// Shapes are the CRM export shapes GenerateShape writes, one per preset.
var Shapes = []string{"fxiaoke", "jiandaoyun", "salesforce", "zoho"}

// ShapeOptions configures GenerateShape.
type ShapeOptions struct {
	Shape string    // salesforce | zoho | fxiaoke | jiandaoyun
	Rows  int       // customer (contact) records, 1..MaxShapeRows
	Seed  uint64    // the same seed and options give the same values
	Out   string    // output directory, created if missing
	Now   time.Time // reference date; zero means DefaultNow()
}

// MaxShapeRows bounds GenerateShape: shapes are built in memory.
const MaxShapeRows = 1_000_000

// ShapeTable is one table of a generated export, as a config names it.
type ShapeTable struct {
	Table    string   `json:"table"`           // table name (the preset's object name)
	File     string   `json:"file"`            // file name in Out
	Entry    string   `json:"entry,omitempty"` // zip: the CSV inside the file
	Rows     int      `json:"rows"`
	Personal []string `json:"personal"` // columns holding personal data of customers
	System   []string `json:"system"`   // the CRM's own flags and codes (non-personal)
}

// ShapeSummary describes what GenerateShape wrote.
type ShapeSummary struct {
	Shape  string       `json:"shape"`
	Preset string       `json:"preset"` // the config's preset: for these tables
	Dir    string       `json:"dir"`
	Files  []string     `json:"files"`
	Tables []ShapeTable `json:"tables"`
}

// sheet is one generated table: a header and rows of text.
type sheet struct {
	name, title string
	header      []string
	rows        [][]string
	personal    []string
}

// GenerateShape writes a synthetic export in the shape of one CRM, from the
// demo generator's people and staff: Salesforce's Data Export (a zip of
// Account.csv, Contact.csv and User.csv with API field names, 18-character
// ids, IsDeleted, OwnerId and the system flags), a Zoho CRM module export
// (Accounts.csv, Contacts.csv, Users.csv with display labels, Record Id
// zcrm_ ids and owner name/id columns), or 纷享销客 / 简道云 XLSX exports
// with a title row above Chinese labels (负责人, 创建人, 提交人, 生命状态,
// a 子表单 sub-form). Every cell is text as the system writes it.
func GenerateShape(ctx context.Context, o ShapeOptions) (*ShapeSummary, error) {
	var errs []error
	if _, err := presets.Get(o.Shape); err != nil {
		errs = append(errs, &OptionError{Option: "Shape", Reason: fmt.Sprintf("want one of %s", strings.Join(Shapes, ", "))})
	}
	if o.Rows < 1 || o.Rows > MaxShapeRows {
		errs = append(errs, &OptionError{Option: "Rows", Reason: fmt.Sprintf("want 1..%d, got %d", MaxShapeRows, o.Rows)})
	}
	if o.Out == "" {
		errs = append(errs, &OptionError{Option: "Out", Reason: "required"})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if o.Now.IsZero() {
		o.Now = DefaultNow()
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	g := newGen(o.Seed, max(o.Rows, 20), o.Now)
	staff := g.makeStaff()
	sg := &shapeGen{g: g, staff: staff, r: stream(o.Seed, saltShape), n: o.Rows, shape: strings.ToLower(o.Shape)}
	for i := range staff {
		if staff[i].role == "sales" && staff[i].leave < 0 {
			sg.sales = append(sg.sales, i)
		}
	}
	var sheets []*sheet
	switch sg.shape {
	case "salesforce":
		sheets = sg.salesforce()
	case "zoho":
		sheets = sg.zoho()
	case "fxiaoke":
		sheets = sg.fxiaoke()
	case "jiandaoyun":
		sheets = sg.jiandaoyun()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, _ := presets.Get(sg.shape)
	sum := &ShapeSummary{Shape: sg.shape, Preset: p.Name, Dir: o.Out}
	for _, s := range sheets {
		t := ShapeTable{Table: s.name, Rows: len(s.rows), Personal: s.personal}
		if obj := p.Object(s.name); obj != nil {
			if cols, _ := obj.Resolve(s.header); len(cols.System) > 0 {
				t.System = cols.System
			}
		}
		switch p.Format {
		case presets.FormatZipCSV:
			t.File, t.Entry = "WE_00D5g000004Xyz1EAC_1.zip", s.name+".csv"
		case presets.FormatCSV:
			t.File = s.name + ".csv"
		default:
			t.File = s.name + ".xlsx"
		}
		sum.Tables = append(sum.Tables, t)
	}
	var err error
	switch p.Format {
	case presets.FormatZipCSV:
		err = writeZipCSV(filepath.Join(o.Out, sum.Tables[0].File), sheets)
		sum.Files = []string{sum.Tables[0].File}
	case presets.FormatCSV:
		for i, s := range sheets {
			if err = atomicfile.WriteFile(filepath.Join(o.Out, sum.Tables[i].File), shapeCSV(s, false), 0o644); err != nil {
				break
			}
			sum.Files = append(sum.Files, sum.Tables[i].File)
		}
	default:
		for i, s := range sheets {
			if err = writeXLSX(filepath.Join(o.Out, sum.Tables[i].File), s); err != nil {
				break
			}
			sum.Files = append(sum.Files, sum.Tables[i].File)
		}
	}
	if err != nil {
		return nil, err
	}
	return sum, nil
}

// saltShape separates the shapes' stream from the CSV demo's.
const saltShape = saltIDs + 101

type shapeGen struct {
	g     *gen
	staff []staffMember
	sales []int // staff in post who own customers
	r     *rand.Rand
	n     int
	shape string
}

// contact is one generated customer person.
type contact struct {
	first, last, full string
	western, male     bool
	mobile, email     string
	street            string
	city, province    string
	postal, area      string
	birthDay          int
	created           int64 // seconds, China wall clock
	owner             int   // index into staff
	company           string
}

func (s *shapeGen) contact(i int) contact {
	r := s.r
	var p person
	s.g.t.newPerson(r, &p, 150)
	c := contact{full: string(p.name), western: p.western, male: p.male}
	if p.western {
		c.first, c.last, _ = strings.Cut(c.full, " ")
	} else {
		rs := []rune(c.full)
		k := max(1, len(rs)-len(p.init))
		c.last, c.first = string(rs[:k]), string(rs[k:])
	}
	c.mobile = string(s.g.t.appendMobile(nil, r))
	c.birthDay = s.g.nowDay - 18*365 - r.IntN(50*365)
	by, _, _ := civilFromDays(c.birthDay)
	c.email = string(s.g.t.appendEmail(nil, r, &p, by))
	pl := s.g.t.newPlace(r)
	c.street = string(appendAddress(nil, r, pl))
	c.city, c.province = pl.city.name, pl.prov.name
	c.postal, c.area = pl.dist.postal, pl.dist.code
	c.created = s.g.signupSec(i * max(1, s.g.rows/s.n) % s.g.rows)
	c.owner = s.sales[r.IntN(len(s.sales))]
	c.company = string(appendCompanyName(nil, r, pl, &tradeNames[r.IntN(len(tradeNames))], false))
	return c
}

func bstr(b bool) string { return strconv.FormatBool(b) }

// sfID is an 18-character Salesforce id: a 3-character key prefix, the
// 15-character case-sensitive id, and the 3-character case-safe suffix
// (one character per 5, encoding which of them are upper case).
func sfID(prefix string, n int) string {
	const b62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	body := []byte(prefix + "5g00000")
	var tail [5]byte
	for i := 4; i >= 0; i-- {
		tail[i] = b62[n%62]
		n /= 62
	}
	body = append(body, tail[:]...)
	const sfx = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
	for chunk := 0; chunk < 3; chunk++ {
		v := 0
		for j := 0; j < 5; j++ {
			if c := body[chunk*5+j]; c >= 'A' && c <= 'Z' {
				v |= 1 << j
			}
		}
		body = append(body, sfx[v])
	}
	return string(body)
}

// sfTime writes China wall-clock seconds as Salesforce's UTC ISO 8601.
func sfTime(sec int64) string {
	t := time.Unix(sec-8*3600, 0).UTC()
	return t.Format("2006-01-02T15:04:05.000Z")
}

func localTime(sec int64) string { return string(appendDateTime(nil, sec)) }
func dateOf(day int) string      { return string(appendDate(nil, day)) }

func (s *shapeGen) salesforce() []*sheet {
	userID := func(i int) string { return sfID("005", 100+i) }
	nAcc := max(1, s.n/2)
	acc := &sheet{name: "Account", header: []string{"Id", "IsDeleted", "MasterRecordId", "Name", "Type", "BillingStreet", "BillingCity",
		"BillingState", "BillingPostalCode", "BillingCountry", "Phone", "OwnerId", "CreatedDate", "CreatedById", "LastModifiedDate",
		"LastModifiedById", "SystemModstamp", "LastActivityDate", "Jigsaw", "CleanStatus", "CurrencyIsoCode"}}
	con := &sheet{name: "Contact", header: []string{"Id", "IsDeleted", "MasterRecordId", "AccountId", "LastName", "FirstName", "Name",
		"MailingStreet", "MailingCity", "MailingState", "MailingPostalCode", "MailingCountry", "MobilePhone", "Email", "Birthdate",
		"LeadSource", "HasOptedOutOfEmail", "HasOptedOutOfFax", "DoNotCall", "OwnerId", "CreatedDate", "CreatedById",
		"LastModifiedDate", "LastModifiedById", "SystemModstamp", "LastActivityDate", "IsEmailBounced", "EmailBouncedDate",
		"Jigsaw", "CleanStatus", "CurrencyIsoCode"},
		personal: []string{"LastName", "FirstName", "Name", "MailingStreet", "MobilePhone", "Email", "Birthdate"}}
	for i := 0; i < s.n; i++ {
		c := s.contact(i)
		owner, mod := userID(c.owner), userID(s.sales[(i+1)%len(s.sales)])
		created, modified := sfTime(c.created), sfTime(c.created+int64(s.r.IntN(86400*30)))
		if i < nAcc {
			acc.rows = append(acc.rows, []string{sfID("001", i), bstr(s.r.IntN(100) < 2), "", c.company,
				[]string{"Customer - Direct", "Customer - Channel", "Prospect"}[s.r.IntN(3)], c.street, c.city, c.province, c.postal, "China",
				"0" + strconv.Itoa(10+s.r.IntN(89)) + "-" + strconv.Itoa(60000000+s.r.IntN(39999999)), owner, created, owner, modified, mod, modified,
				dateOf(int(c.created/86400) + s.r.IntN(30)), "", []string{"Pending", "Matched", "Different"}[s.r.IntN(3)], "CNY"})
		}
		bounced := s.r.IntN(100) < 3
		bouncedDate := ""
		if bounced {
			bouncedDate = sfTime(c.created + 86400)
		}
		con.rows = append(con.rows, []string{sfID("003", i), bstr(s.r.IntN(100) < 2), "", sfID("001", i%nAcc), c.last, c.first, c.full,
			c.street, c.city, c.province, c.postal, "China", c.mobile, c.email, dateOf(c.birthDay),
			[]string{"Web", "Phone Inquiry", "Partner Referral", "Trade Show", ""}[s.r.IntN(5)], bstr(s.r.IntN(100) < 10),
			bstr(s.r.IntN(100) < 5), bstr(s.r.IntN(100) < 4), owner, created, owner, modified, mod, modified,
			dateOf(int(c.created/86400) + s.r.IntN(60)), bstr(bounced), bouncedDate, "", []string{"Pending", "Matched"}[s.r.IntN(2)], "CNY"})
	}
	usr := &sheet{name: "User", header: []string{"Id", "Username", "LastName", "FirstName", "Name", "Department", "Email", "IsActive",
		"TimeZoneSidKey", "LocaleSidKey", "EmailEncodingKey", "ProfileId", "UserRoleId", "LanguageLocaleKey", "UserType", "CreatedDate", "SystemModstamp"},
		personal: []string{"Name", "Email"}}
	for i, m := range s.staff {
		rs := []rune(m.name)
		last, first := string(rs[:1]), string(rs[1:])
		usr.rows = append(usr.rows, []string{userID(i), m.email, last, first, m.name, m.region, m.email, bstr(m.active),
			"Asia/Shanghai", "zh_CN", "UTF-8", sfID("00e", 1+i%3), sfID("00E", 1+i%5), "zh_CN", "Standard",
			sfTime(int64(m.hire) * 86400), sfTime(int64(m.hire)*86400 + 3600)})
	}
	return []*sheet{acc, con, usr}
}

func zcrm(n int) string { return "zcrm_" + strconv.FormatInt(4876876000000000000+int64(n), 10) }

func (s *shapeGen) zoho() []*sheet {
	userID := func(i int) string { return zcrm(1000 + i) }
	nAcc := max(1, s.n/2)
	acc := &sheet{name: "Accounts", header: []string{"Record Id", "Account Owner.id", "Account Owner", "Account Name", "Phone",
		"Billing Street", "Billing City", "Billing State", "Billing Code", "Billing Country", "Created By.id", "Created By",
		"Modified By.id", "Modified By", "Created Time", "Modified Time", "Last Activity Time", "Tag"}}
	con := &sheet{name: "Contacts", header: []string{"Record Id", "Contact Owner.id", "Contact Owner", "Lead Source", "First Name",
		"Last Name", "Account Name.id", "Account Name", "Email", "Mobile", "Date of Birth", "Email Opt Out", "Created By.id",
		"Created By", "Modified By.id", "Modified By", "Created Time", "Modified Time", "Mailing Street", "Mailing City",
		"Mailing State", "Mailing Zip", "Mailing Country", "Last Activity Time", "Tag", "Unsubscribed Mode", "Unsubscribed Time"},
		personal: []string{"First Name", "Last Name", "Email", "Mobile", "Date of Birth", "Mailing Street"}}
	companies := make([]string, nAcc)
	for i := 0; i < s.n; i++ {
		c := s.contact(i)
		ow := s.staff[c.owner]
		created := localTime(c.created)
		modified := localTime(c.created + int64(s.r.IntN(86400*30)))
		activity := localTime(c.created + int64(s.r.IntN(86400*60)))
		if i < nAcc {
			companies[i] = c.company
			acc.rows = append(acc.rows, []string{zcrm(i + 1), userID(c.owner), ow.name, c.company,
				"0" + strconv.Itoa(10+s.r.IntN(89)) + "-" + strconv.Itoa(60000000+s.r.IntN(39999999)),
				c.street, c.city, c.province, c.postal, "China", userID(c.owner), ow.name, userID(c.owner), ow.name, created, modified, activity,
				[]string{"", "VIP", "渠道"}[s.r.IntN(3)]})
		}
		optOut := s.r.IntN(100) < 8
		mode, at := "", ""
		if optOut {
			mode, at = "Consent form", modified
		}
		con.rows = append(con.rows, []string{zcrm(500000 + i), userID(c.owner), ow.name,
			[]string{"Advertisement", "Cold Call", "Employee Referral", "Online Store", ""}[s.r.IntN(5)], c.first, c.last,
			zcrm(1 + i%nAcc), companies[i%nAcc], c.email, c.mobile, dateOf(c.birthDay), bstr(optOut), userID(c.owner), ow.name,
			userID(c.owner), ow.name, created, modified, c.street, c.city, c.province, c.postal, "China", activity,
			[]string{"", "VIP", "渠道"}[s.r.IntN(3)], mode, at})
	}
	usr := &sheet{name: "Users", header: []string{"Record Id", "Full Name", "Email", "Role", "Profile", "Status", "Created Time"},
		personal: []string{"Full Name", "Email"}}
	for i, m := range s.staff {
		st := "Active"
		if !m.active {
			st = "Inactive"
		}
		usr.rows = append(usr.rows, []string{userID(i), m.name, m.email, m.role, "Standard", st, localTime(int64(m.hire) * 86400)})
	}
	return []*sheet{acc, con, usr}
}

func (s *shapeGen) fxiaoke() []*sheet {
	status := []string{"正常", "正常", "正常", "作废"}
	cus := &sheet{name: "客户", title: "客户 导出数据", header: []string{"客户编号", "客户名称", "客户级别", "电话", "详细地址", "省", "市",
		"负责人", "负责人所在部门", "创建人", "创建时间", "最后修改人", "最后修改时间", "生命状态", "锁定状态", "业务类型", "相关团队"}}
	con := &sheet{name: "联系人", title: "联系人 导出数据", header: []string{"联系人编号", "姓名", "性别", "手机", "邮件", "生日", "地址",
		"所属客户", "负责人", "负责人所在部门", "创建人", "创建时间", "最后修改时间", "生命状态", "锁定状态", "业务类型"},
		personal: []string{"姓名", "手机", "邮件", "生日", "地址"}}
	nAcc := max(1, s.n/2)
	companies := make([]string, nAcc)
	for i := 0; i < s.n; i++ {
		c := s.contact(i)
		ow := s.staff[c.owner]
		created := localTime(c.created)
		modified := localTime(c.created + int64(s.r.IntN(86400*30)))
		lock := []string{"未锁定", "未锁定", "锁定"}[s.r.IntN(3)]
		if i < nAcc {
			companies[i] = c.company
			cus.rows = append(cus.rows, []string{"KH" + string(appendPad(nil, uint64(i+1), 6)), c.company, []string{"A类", "B类", "C类"}[s.r.IntN(3)],
				"0" + strconv.Itoa(10+s.r.IntN(89)) + "-" + strconv.Itoa(60000000+s.r.IntN(39999999)), c.street, c.province, c.city,
				ow.name, ow.region + "销售部", ow.name, created, ow.name, modified, status[s.r.IntN(4)], lock, "默认业务类型", ow.name})
		}
		sex := "女"
		if c.male {
			sex = "男"
		}
		con.rows = append(con.rows, []string{"LXR" + string(appendPad(nil, uint64(i+1), 6)), c.full, sex, c.mobile, c.email, dateOf(c.birthDay),
			c.street, companies[i%nAcc], ow.name, ow.region + "销售部", ow.name, created, modified, status[s.r.IntN(4)], lock, "默认业务类型"})
	}
	per := &sheet{name: "人员", title: "人员 导出数据", header: []string{"员工编号", "姓名", "邮箱", "主属部门", "状态", "创建时间"},
		personal: []string{"姓名", "邮箱"}}
	for i, m := range s.staff {
		st := "启用"
		if !m.active {
			st = "停用"
		}
		per.rows = append(per.rows, []string{"E" + string(appendPad(nil, uint64(i+1), 5)), m.name, m.email, m.region + "销售部", st, localTime(int64(m.hire) * 86400)})
	}
	return []*sheet{cus, con, per}
}

func (s *shapeGen) jiandaoyun() []*sheet {
	form := &sheet{name: "客户登记", title: "客户登记", header: []string{"客户姓名", "手机号码", "邮箱", "身份证号", "出生日期", "地址",
		"负责人", "跟进记录.跟进方式", "跟进记录.跟进内容", "提交人", "提交时间", "更新时间", "流程状态", "数据ID"},
		personal: []string{"客户姓名", "手机号码", "邮箱", "身份证号", "出生日期", "地址"}}
	for i := 0; i < s.n; i++ {
		c := s.contact(i)
		ow := s.staff[c.owner]
		id := ""
		if !c.western {
			id = string(appendResidentID(nil, s.r, c.area, c.birthDay, c.male))
		}
		created := localTime(c.created)
		dataID := fmt.Sprintf("%08x%016x", 0x6540a1b2+i/65536, uint64(i)*2654435761%(1<<63))
		form.rows = append(form.rows, []string{c.full, c.mobile, c.email, id, dateOf(c.birthDay), c.street, ow.name,
			[]string{"电话", "拜访", "微信", ""}[s.r.IntN(4)], []string{"已联系，待报价", "客户有意向", "", "需再次跟进"}[s.r.IntN(4)],
			ow.name, created, localTime(c.created + int64(s.r.IntN(86400*30))), []string{"已完成", "进行中", ""}[s.r.IntN(3)], dataID})
	}
	mem := &sheet{name: "成员", title: "通讯录 成员", header: []string{"姓名", "成员编号", "邮箱", "部门", "状态"},
		personal: []string{"姓名", "邮箱"}}
	for _, m := range s.staff {
		st := "正常"
		if !m.active {
			st = "停用"
		}
		user, _, _ := strings.Cut(m.email, "@")
		mem.rows = append(mem.rows, []string{m.name, user, m.email, m.region + "销售部", st})
	}
	return []*sheet{form, mem}
}

// shapeCSV renders a sheet as CSV (RFC 4180, CRLF); quoteAll quotes every
// field as Salesforce's Data Export does.
func shapeCSV(s *sheet, quoteAll bool) []byte {
	var b bytes.Buffer
	row := func(fields []string) {
		for i, f := range fields {
			if i > 0 {
				b.WriteByte(',')
			}
			if quoteAll || needsQuotes(f) {
				b.WriteByte('"')
				b.WriteString(strings.ReplaceAll(f, `"`, `""`))
				b.WriteByte('"')
			} else {
				b.WriteString(f)
			}
		}
		b.WriteString("\r\n")
	}
	row(s.header)
	for _, r := range s.rows {
		row(r)
	}
	return b.Bytes()
}

// writeZipCSV writes the sheets as CSV entries of one zip, atomically.
func writeZipCSV(path string, sheets []*sheet) error {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, s := range sheets {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: s.name + ".csv", Method: zip.Deflate, Modified: DefaultNow().UTC()})
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if _, err := w.Write(shapeCSV(s, true)); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return atomicfile.WriteFile(path, buf.Bytes(), 0o644)
}

// writeXLSX writes a sheet as a workbook with its title row (merged across
// the header) above the header; cells are text.
func writeXLSX(path string, s *sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	name := s.name
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	toRow := func(xs []string) []any {
		out := make([]any, len(xs))
		for i, x := range xs {
			out[i] = x
		}
		return out
	}
	line := 1
	if s.title != "" {
		if err := sw.SetRow("A1", []any{s.title}); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		last, _ := excelize.CoordinatesToCellName(len(s.header), 1)
		if err := sw.MergeCell("A1", last); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		line++
	}
	for _, r := range append([][]string{s.header}, s.rows...) {
		cell, _ := excelize.CoordinatesToCellName(1, line)
		if err := sw.SetRow(cell, toRow(r)); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		line++
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return atomicfile.WriteFile(path, buf.Bytes(), 0o644)
}
