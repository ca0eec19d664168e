package demo

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
)

// colSpec describes one column: its canonical key (used in code and docs),
// its class, and the header synonyms a seed chooses from.
type colSpec struct {
	key      string
	class    Class
	names    []string
	personal bool // may be given an unhelpful name (field_7, 备用1) by the seed
}

// Customer columns, in their canonical order.
const (
	cCustomerID = iota
	cName
	cGender
	cBirth
	cAge
	cIDCard
	cPhone
	cEmail
	cProvince
	cCity
	cAddress
	cPostal
	cType
	cCompany
	cCredit
	cCard
	cIBAN
	cIP
	cSignup
	cOrderNo
	cProduct
	cLTV
	cScore
	cSegment
	cNotes
	nCust
)

var customerCols = [nCust]colSpec{
	cCustomerID: {"customer_id", ClassRecordID, []string{"customer_id"}, false},
	cName:       {"name", ClassPersonName, []string{"姓名", "客户姓名", "name", "full_name", "cust_name"}, true},
	cGender:     {"gender", ClassGender, []string{"性别", "gender", "sex"}, false},
	cBirth:      {"birth_date", ClassBirthDate, []string{"出生日期", "生日", "dob", "birth_date"}, true},
	cAge:        {"age", ClassAge, []string{"年龄", "age"}, false},
	cIDCard:     {"id_card", ClassCNResidentID, []string{"身份证号", "身份证号码", "id_card", "sfz", "id_no"}, true},
	cPhone:      {"phone", ClassPhone, []string{"手机号", "手机", "联系电话", "mobile", "phone", "tel"}, true},
	cEmail:      {"email", ClassEmail, []string{"邮箱", "电子邮件", "email", "e_mail"}, true},
	cProvince:   {"province", ClassProvince, []string{"省份", "所在省份", "province"}, false},
	cCity:       {"city", ClassCity, []string{"城市", "所在城市", "city"}, false},
	cAddress:    {"address", ClassAddress, []string{"地址", "联系地址", "address", "addr"}, true},
	cPostal:     {"postal_code", ClassPostalCode, []string{"邮编", "邮政编码", "postcode", "zip"}, true},
	cType:       {"customer_type", ClassNone, []string{"客户类型", "customer_type", "cust_type"}, false},
	cCompany:    {"company", ClassOrganizationName, []string{"公司名称", "单位名称", "company", "company_name"}, false},
	cCredit:     {"credit_code", ClassCNSocialCreditCode, []string{"统一社会信用代码", "信用代码", "uscc", "credit_code"}, false},
	cCard:       {"bank_card", ClassBankCard, []string{"银行卡号", "卡号", "bank_card", "card_no"}, true},
	cIBAN:       {"iban", ClassIBAN, []string{"IBAN", "iban", "国际银行账号"}, false},
	cIP:         {"signup_ip", ClassIPAddress, []string{"注册IP", "signup_ip", "ip", "reg_ip"}, true},
	cSignup:     {"signup_time", ClassNone, []string{"注册时间", "signup_time", "created_at", "registered_at"}, false},
	cOrderNo:    {"order_no", ClassNone, []string{"订单号", "order_no", "last_order_no"}, false},
	cProduct:    {"product_code", ClassNone, []string{"产品编码", "product_code", "sku"}, false},
	cLTV:        {"lifetime_value", ClassNone, []string{"累计消费", "lifetime_value", "ltv"}, false},
	cScore:      {"credit_score", ClassNone, []string{"信用分", "credit_score", "score"}, false},
	cSegment:    {"segment", ClassNone, []string{"客户等级", "segment", "tier"}, false},
	cNotes:      {"notes", ClassFreeTextPII, []string{"备注", "notes", "remark", "comments"}, false},
}

// Order columns.
const (
	oOrderID = iota
	oCustomerID
	oAmount
	oCurrency
	oCreated
	oStatus
	oLast4
	oProduct
	nOrd
)

var orderCols = [nOrd]colSpec{
	oOrderID:    {"order_id", ClassNone, []string{"order_id"}, false},
	oCustomerID: {"customer_id", ClassRecordID, []string{"customer_id"}, false},
	oAmount:     {"amount", ClassNone, []string{"金额", "amount", "order_amount"}, false},
	oCurrency:   {"currency", ClassNone, []string{"币种", "currency"}, false},
	oCreated:    {"created_at", ClassNone, []string{"下单时间", "created_at", "order_time"}, false},
	oStatus:     {"status", ClassNone, []string{"订单状态", "status", "order_status"}, false},
	oLast4:      {"card_last4", ClassNone, []string{"卡号后四位", "card_last4", "last4"}, false},
	oProduct:    {"product_code", ClassNone, []string{"产品编码", "product_code", "sku"}, false},
}

// Enrollment columns.
const (
	eEnrollmentID = iota
	eCustomerID
	eCourse
	eStart
	eEnd
	eStatus
	nEnr
)

var enrollmentCols = [nEnr]colSpec{
	eEnrollmentID: {"enrollment_id", ClassNone, []string{"enrollment_id"}, false},
	eCustomerID:   {"customer_id", ClassRecordID, []string{"customer_id"}, false},
	eCourse:       {"course", ClassNone, []string{"课程名称", "course", "course_name"}, false},
	eStart:        {"start_date", ClassNone, []string{"开始日期", "start_date"}, false},
	eEnd:          {"end_date", ClassNone, []string{"结束日期", "end_date"}, false},
	eStatus:       {"status", ClassNone, []string{"状态", "status"}, false},
}

// Staff and ownership headers are fixed: the audit stage reads them by name.
var (
	staffHeader = []string{"staff_id", "name", "email", "role", "region", "status", "hire_date", "leave_date"}
	staffClass  = []Class{ClassRecordID, ClassPersonName, ClassEmail, ClassNone, ClassNone, ClassNone,
		ClassNone, ClassNone}
	ownershipHeader = []string{"customer_id", "staff_id", "since"}
	ownershipClass  = []Class{ClassRecordID, ClassRecordID, ClassNone}
)

// Unhelpful header styles: %d is the 1-based column position or a counter.
var unhelpfulStyles = []func(pos, k int) string{
	func(pos, _ int) string { return "field_" + strconv.Itoa(pos) },
	func(_, k int) string { return "备用" + strconv.Itoa(k) },
	func(pos, _ int) string { return "col" + strconv.Itoa(pos) },
	func(_, k int) string { return "ext_attr" + strconv.Itoa(k) },
}

// layout is everything about the output's shape that the seed decides
// independently of the row count.
type layout struct {
	custOrder   [nCust]int // output position -> customer column
	custHeader  [nCust]string
	orderHeader [nOrd]string
	enrHeader   [nEnr]string
	genderMF    bool // gender written M/F instead of 男/女
	typeCN      bool // customer type written 个人/企业 instead of individual/business
	staffDomain string
	idOffset    uint64 // customer id numbering offset
}

func newLayout(seed uint64) *layout {
	r := stream(seed, saltHeaders)
	l := &layout{}
	// Column order: the canonical (logical) order of a CRM export, customer_id
	// first, with a few neighbouring columns swapped so positions vary too.
	for c := range l.custOrder {
		l.custOrder[c] = c
	}
	for range 4 {
		i := 1 + r.IntN(nCust-2)
		l.custOrder[i], l.custOrder[i+1] = l.custOrder[i+1], l.custOrder[i]
	}

	for c := range customerCols {
		l.custHeader[c] = pickName(r, customerCols[c].names)
	}
	// One or two personal columns get names that say nothing.
	var cand []int
	for c := range customerCols {
		if customerCols[c].personal {
			cand = append(cand, c)
		}
	}
	n := 1 + r.IntN(2)
	style := unhelpfulStyles[r.IntN(len(unhelpfulStyles))]
	r.Shuffle(len(cand), func(i, j int) { cand[i], cand[j] = cand[j], cand[i] })
	chosen := cand[:n]
	k := 0
	for pos, c := range l.custOrder { // number in output order, so 备用1 precedes 备用2
		if slices.Contains(chosen, c) {
			k++
			l.custHeader[c] = style(pos+1, k)
		}
	}
	for c := range orderCols {
		l.orderHeader[c] = pickName(r, orderCols[c].names)
	}
	for c := range enrollmentCols {
		l.enrHeader[c] = pickName(r, enrollmentCols[c].names)
	}
	l.genderMF = r.IntN(2) == 0
	l.typeCN = r.IntN(2) == 0
	l.staffDomain = staffDomains[r.IntN(len(staffDomains))]
	l.idOffset = r.Uint64N(1_000_000)
	return l
}

func pickName(r *rand.Rand, names []string) string { return names[r.IntN(len(names))] }

// customerHeader returns the header row in output order.
func (l *layout) customerHeader() []string {
	h := make([]string, nCust)
	for pos, c := range l.custOrder {
		h[pos] = l.custHeader[c]
	}
	return h
}

// groundTruth labels every column of every table.
func (l *layout) groundTruth(seed uint64, rows int) *GroundTruth {
	g := &GroundTruth{Format: GroundTruthFormat, Seed: seed, Rows: rows, Tables: map[string]map[string]Class{}}
	cust := map[string]Class{}
	for c := range customerCols {
		cust[l.custHeader[c]] = customerCols[c].class
	}
	g.Tables["customers"] = cust
	ord := map[string]Class{}
	for c := range orderCols {
		ord[l.orderHeader[c]] = orderCols[c].class
	}
	g.Tables["orders"] = ord
	enr := map[string]Class{}
	for c := range enrollmentCols {
		enr[l.enrHeader[c]] = enrollmentCols[c].class
	}
	g.Tables["enrollments"] = enr
	st := map[string]Class{}
	for i, h := range staffHeader {
		st[h] = staffClass[i]
	}
	g.Tables["staff"] = st
	own := map[string]Class{}
	for i, h := range ownershipHeader {
		own[h] = ownershipClass[i]
	}
	g.Tables["ownership"] = own
	return g
}

func sortedKeys[M ~map[string]V, V any](m M) []string { return slices.Sorted(maps.Keys(m)) }
