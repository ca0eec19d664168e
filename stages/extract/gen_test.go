package extract

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// Synthetic customer data: made-up values only (no real people).
var (
	genFirst  = []string{"Wei", "Fang", "Li", "Min", "Jun", "Anna", "John", "Maria", "Ahmed", "Yuki", "Olga", "Pierre"}
	genLast   = []string{"Zhang", "Wang", "Chen", "Liu", "Smith", "Garcia", "Müller", "Rossi", "Kim", "Nguyen"}
	genZh     = []string{"张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄丽", "周杰", "吴婷婷"}
	genCities = []string{"北京", "上海", "广州", "深圳", "杭州", "成都", "Berlin", "Paris", "London", "New York"}
	genStreet = []string{"人民路", "中山路", "解放路", "Main St", "Rue de Rivoli", "Bahnhofstr."}
)

const genHeader = "id,customer_no,first_name,last_name,name_zh,email,phone,id_card,gender,birth_date,city,address,postcode,signup_at,last_login,balance,credit_limit,is_vip,score,notes\n"

// writeCustomers writes a header and n rows of a ~20-column customers CSV.
func writeCustomers(w io.Writer, n int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 7))
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(genHeader)
	for i := 1; i <= n; i++ {
		first, last := genFirst[rng.IntN(len(genFirst))], genLast[rng.IntN(len(genLast))]
		y, m, d := 1950+rng.IntN(55), 1+rng.IntN(12), 1+rng.IntN(28)
		note := ""
		switch rng.IntN(4) {
		case 0:
			note = `"prefers email, not phone"`
		case 1:
			note = `"said ""call me later"" twice"`
		case 2:
			note = "VIP since 2019"
		}
		fmt.Fprintf(bw, "%d,C%07d,%s,%s,%s,%s.%s%d@example.com,1%010d,%06d%04d%02d%02d%03d%d,%s,%04d-%02d-%02d,%s,\"%d %s, %s\",%06d,2023-%02d-%02d %02d:%02d:%02d,2024-%02d-%02dT%02d:%02d:%02d+08:00,%d.%02d,\"%s.00\",%v,%d,%s\n",
			i, rng.IntN(10000000), first, last, genZh[rng.IntN(len(genZh))],
			strings.ToLower(first), strings.ToLower(last), rng.IntN(1000), rng.Int64N(1e10),
			110000+rng.IntN(800000), y, m, d, rng.IntN(1000), rng.IntN(10),
			[]string{"F", "M"}[rng.IntN(2)], y, m, d, genCities[rng.IntN(len(genCities))],
			1+rng.IntN(999), genStreet[rng.IntN(len(genStreet))], genCities[rng.IntN(len(genCities))],
			rng.IntN(999999), 1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), rng.IntN(60),
			1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), rng.IntN(60),
			rng.IntN(100000), rng.IntN(100), thousands(1000*(1+rng.IntN(5000))), rng.IntN(2) == 0, rng.IntN(1000), note)
	}
	return bw.Flush()
}

// thousands formats n with comma groups.
func thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
