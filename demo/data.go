package demo

// Static tables the generator draws from. Every string here must be
// encodable in GBK (the --gbk twin holds the same text); TestTablesGBK checks.

// weighted is a string with a relative weight.
type weighted struct {
	s string
	w int
}

// surname is a Chinese family name with its pinyin and a relative weight
// (roughly its share of the population in tenths of a percent).
type surname struct {
	han, py string
	w       int
}

var surnames = []surname{
	{"王", "wang", 71}, {"李", "li", 70}, {"张", "zhang", 67}, {"刘", "liu", 54}, {"陈", "chen", 45},
	{"杨", "yang", 31}, {"黄", "huang", 22}, {"赵", "zhao", 21}, {"吴", "wu", 20}, {"周", "zhou", 19},
	{"徐", "xu", 13}, {"孙", "sun", 13}, {"马", "ma", 12}, {"朱", "zhu", 12}, {"胡", "hu", 11},
	{"郭", "guo", 11}, {"何", "he", 10}, {"林", "lin", 10}, {"高", "gao", 10}, {"罗", "luo", 9},
	{"郑", "zheng", 9}, {"梁", "liang", 8}, {"谢", "xie", 7}, {"宋", "song", 7}, {"唐", "tang", 6},
	{"许", "xu", 6}, {"韩", "han", 6}, {"冯", "feng", 6}, {"邓", "deng", 6}, {"曹", "cao", 5},
	{"彭", "peng", 5}, {"曾", "zeng", 5}, {"肖", "xiao", 5}, {"田", "tian", 4}, {"董", "dong", 4},
	{"袁", "yuan", 4}, {"潘", "pan", 4}, {"于", "yu", 4}, {"蒋", "jiang", 4}, {"蔡", "cai", 4},
	{"余", "yu", 4}, {"杜", "du", 3}, {"叶", "ye", 3}, {"程", "cheng", 3}, {"苏", "su", 3},
	{"魏", "wei", 3}, {"吕", "lv", 3}, {"丁", "ding", 3}, {"任", "ren", 3}, {"沈", "shen", 3},
	{"姚", "yao", 3}, {"卢", "lu", 3}, {"姜", "jiang", 3}, {"崔", "cui", 3}, {"钟", "zhong", 3},
	{"谭", "tan", 3}, {"陆", "lu", 3}, {"汪", "wang", 3}, {"范", "fan", 2}, {"金", "jin", 2},
	{"石", "shi", 2}, {"廖", "liao", 2}, {"贾", "jia", 2}, {"夏", "xia", 2}, {"韦", "wei", 2},
	{"付", "fu", 2}, {"方", "fang", 2}, {"白", "bai", 2}, {"邹", "zou", 2}, {"孟", "meng", 2},
	{"熊", "xiong", 2}, {"秦", "qin", 2}, {"邱", "qiu", 2}, {"江", "jiang", 2}, {"尹", "yin", 2},
	{"薛", "xue", 2}, {"闫", "yan", 2}, {"段", "duan", 2}, {"雷", "lei", 2}, {"侯", "hou", 2},
	{"龙", "long", 2}, {"史", "shi", 2}, {"陶", "tao", 1}, {"黎", "li", 1}, {"贺", "he", 1},
	{"顾", "gu", 1}, {"毛", "mao", 1}, {"郝", "hao", 1}, {"龚", "gong", 1}, {"邵", "shao", 1},
	{"万", "wan", 1}, {"钱", "qian", 1}, {"严", "yan", 1}, {"覃", "qin", 1}, {"武", "wu", 1},
	{"戴", "dai", 1}, {"莫", "mo", 1}, {"孔", "kong", 1}, {"向", "xiang", 1}, {"汤", "tang", 1},
	// Compound surnames: rare, but every real CRM has a few.
	{"欧阳", "ouyang", 3}, {"司马", "sima", 2}, {"诸葛", "zhuge", 2}, {"上官", "shangguan", 2},
	{"东方", "dongfang", 1}, {"皇甫", "huangfu", 1}, {"令狐", "linghu", 1}, {"慕容", "murong", 1},
	{"司徒", "situ", 1}, {"夏侯", "xiahou", 1},
}

// givenChar is a character used in Chinese given names with its pinyin.
type givenChar struct{ han, py string }

var givenMale = []givenChar{
	{"伟", "wei"}, {"强", "qiang"}, {"磊", "lei"}, {"军", "jun"}, {"勇", "yong"}, {"杰", "jie"},
	{"涛", "tao"}, {"斌", "bin"}, {"超", "chao"}, {"明", "ming"}, {"刚", "gang"}, {"平", "ping"},
	{"辉", "hui"}, {"鹏", "peng"}, {"华", "hua"}, {"飞", "fei"}, {"鑫", "xin"}, {"波", "bo"},
	{"宇", "yu"}, {"浩", "hao"}, {"凯", "kai"}, {"健", "jian"}, {"俊", "jun"}, {"帆", "fan"},
	{"旭", "xu"}, {"宁", "ning"}, {"龙", "long"}, {"林", "lin"}, {"阳", "yang"}, {"晨", "chen"},
	{"博", "bo"}, {"文", "wen"}, {"志", "zhi"}, {"国", "guo"}, {"建", "jian"}, {"海", "hai"},
	{"东", "dong"}, {"峰", "feng"}, {"亮", "liang"}, {"成", "cheng"}, {"坤", "kun"}, {"轩", "xuan"},
	{"睿", "rui"}, {"泽", "ze"}, {"子", "zi"}, {"天", "tian"}, {"一", "yi"}, {"嘉", "jia"},
	{"航", "hang"}, {"铭", "ming"}, {"然", "ran"}, {"晓", "xiao"}, {"振", "zhen"}, {"德", "de"},
	{"永", "yong"}, {"新", "xin"}, {"光", "guang"}, {"庆", "qing"}, {"春", "chun"}, {"宏", "hong"},
	{"彬", "bin"}, {"毅", "yi"}, {"锋", "feng"}, {"瑞", "rui"}, {"昊", "hao"}, {"哲", "zhe"},
	{"思", "si"}, {"远", "yuan"},
}

var givenFemale = []givenChar{
	{"芳", "fang"}, {"娜", "na"}, {"敏", "min"}, {"静", "jing"}, {"丽", "li"}, {"艳", "yan"},
	{"娟", "juan"}, {"霞", "xia"}, {"秀", "xiu"}, {"玲", "ling"}, {"燕", "yan"}, {"婷", "ting"},
	{"雪", "xue"}, {"慧", "hui"}, {"莉", "li"}, {"倩", "qian"}, {"琳", "lin"}, {"颖", "ying"},
	{"洁", "jie"}, {"萍", "ping"}, {"红", "hong"}, {"梅", "mei"}, {"丹", "dan"}, {"欣", "xin"},
	{"怡", "yi"}, {"佳", "jia"}, {"雨", "yu"}, {"涵", "han"}, {"琪", "qi"}, {"璐", "lu"},
	{"晶", "jing"}, {"婉", "wan"}, {"蕾", "lei"}, {"薇", "wei"}, {"妍", "yan"}, {"悦", "yue"},
	{"诗", "shi"}, {"梦", "meng"}, {"瑶", "yao"}, {"晴", "qing"}, {"月", "yue"}, {"兰", "lan"},
	{"凤", "feng"}, {"翠", "cui"}, {"英", "ying"}, {"华", "hua"}, {"桂", "gui"}, {"淑", "shu"},
	{"珊", "shan"}, {"琴", "qin"}, {"云", "yun"}, {"馨", "xin"}, {"彤", "tong"}, {"可", "ke"},
	{"心", "xin"}, {"萱", "xuan"}, {"若", "ruo"}, {"依", "yi"},
}

// westernName is a Western first or last name and its ASCII form for e-mail
// local parts (accents folded, apostrophes dropped).
type westernName struct{ name, ascii string }

var westernMale = []westernName{
	{"James", "james"}, {"John", "john"}, {"Robert", "robert"}, {"Michael", "michael"},
	{"William", "william"}, {"David", "david"}, {"Richard", "richard"}, {"Thomas", "thomas"},
	{"Daniel", "daniel"}, {"Matthew", "matthew"}, {"Andrew", "andrew"}, {"Mark", "mark"},
	{"Paul", "paul"}, {"Peter", "peter"}, {"George", "george"}, {"Henry", "henry"},
	{"Oliver", "oliver"}, {"Lucas", "lucas"}, {"Samuel", "samuel"}, {"Benjamin", "benjamin"},
	{"Alexander", "alexander"}, {"Christopher", "christopher"}, {"Kevin", "kevin"}, {"Brian", "brian"},
	{"Jack", "jack"}, {"Luca", "luca"}, {"Pierre", "pierre"}, {"Hans", "hans"}, {"Stefan", "stefan"},
	{"José", "jose"}, {"Jérémie", "jeremie"},
}

var westernFemale = []westernName{
	{"Mary", "mary"}, {"Patricia", "patricia"}, {"Jennifer", "jennifer"}, {"Linda", "linda"},
	{"Elizabeth", "elizabeth"}, {"Susan", "susan"}, {"Jessica", "jessica"}, {"Sarah", "sarah"},
	{"Karen", "karen"}, {"Emily", "emily"}, {"Emma", "emma"}, {"Olivia", "olivia"},
	{"Sophia", "sophia"}, {"Anna", "anna"}, {"Laura", "laura"}, {"Claire", "claire"},
	{"Julia", "julia"}, {"Charlotte", "charlotte"}, {"Grace", "grace"}, {"Hannah", "hannah"},
	{"Natalie", "natalie"}, {"Rachel", "rachel"}, {"Amelia", "amelia"}, {"Chloe", "chloe"},
	{"Sophie", "sophie"}, {"Marie", "marie"}, {"Isabelle", "isabelle"}, {"Katharina", "katharina"},
	{"Lena", "lena"}, {"Maria", "maria"}, {"Zoé", "zoe"},
}

var westernLast = []westernName{
	{"Smith", "smith"}, {"Johnson", "johnson"}, {"Williams", "williams"}, {"Brown", "brown"},
	{"Jones", "jones"}, {"Miller", "miller"}, {"Davis", "davis"}, {"Wilson", "wilson"},
	{"Anderson", "anderson"}, {"Taylor", "taylor"}, {"Moore", "moore"}, {"Martin", "martin"},
	{"Jackson", "jackson"}, {"Thompson", "thompson"}, {"White", "white"}, {"Harris", "harris"},
	{"Clark", "clark"}, {"Lewis", "lewis"}, {"Walker", "walker"}, {"Hall", "hall"},
	{"Allen", "allen"}, {"Young", "young"}, {"King", "king"}, {"Wright", "wright"},
	{"Scott", "scott"}, {"Green", "green"}, {"Baker", "baker"}, {"Adams", "adams"},
	{"Nelson", "nelson"}, {"Müller", "mueller"}, {"Schmidt", "schmidt"}, {"Schneider", "schneider"},
	{"Fischer", "fischer"}, {"Weber", "weber"}, {"Dubois", "dubois"}, {"Durand", "durand"},
	{"Lefèvre", "lefevre"}, {"García", "garcia"}, {"Rossi", "rossi"}, {"Bianchi", "bianchi"},
	{"O'Brien", "obrien"}, {"MacLeod", "macleod"}, {"van der Berg", "vanderberg"},
}

// district is a county-level division: name, GB/T 2260 code, postal code.
type district struct{ name, code, postal string }

// city is a prefecture-level city with some of its districts.
type city struct {
	name      string
	districts []district
}

// province is a province-level division with a population-ish weight.
type province struct {
	name         string
	w            int
	municipality bool // the province is itself the city (北京市, 上海市, ...)
	cities       []city
}

var provinces = []province{
	{"北京市", 6, true, []city{{"北京市", []district{
		{"东城区", "110101", "100010"}, {"西城区", "110102", "100032"}, {"朝阳区", "110105", "100020"},
		{"丰台区", "110106", "100071"}, {"海淀区", "110108", "100080"}}}}},
	{"天津市", 2, true, []city{{"天津市", []district{
		{"和平区", "120101", "300041"}, {"河西区", "120103", "300202"}, {"南开区", "120104", "300100"}}}}},
	{"河北省", 4, false, []city{{"石家庄市", []district{
		{"长安区", "130102", "050011"}, {"桥西区", "130104", "050051"}}}}},
	{"山西省", 2, false, []city{{"太原市", []district{
		{"小店区", "140105", "030032"}, {"迎泽区", "140106", "030002"}}}}},
	{"内蒙古自治区", 1, false, []city{{"呼和浩特市", []district{
		{"新城区", "150102", "010010"}, {"回民区", "150103", "010030"}}}}},
	{"辽宁省", 3, false, []city{
		{"沈阳市", []district{{"和平区", "210102", "110001"}, {"沈河区", "210103", "110011"}}},
		{"大连市", []district{{"中山区", "210202", "116001"}, {"沙河口区", "210204", "116021"}}}}},
	{"吉林省", 1, false, []city{{"长春市", []district{
		{"南关区", "220102", "130022"}, {"朝阳区", "220104", "130012"}}}}},
	{"黑龙江省", 2, false, []city{{"哈尔滨市", []district{
		{"道里区", "230102", "150010"}, {"南岗区", "230103", "150001"}}}}},
	{"上海市", 6, true, []city{{"上海市", []district{
		{"黄浦区", "310101", "200001"}, {"徐汇区", "310104", "200030"}, {"长宁区", "310105", "200050"},
		{"静安区", "310106", "200040"}, {"浦东新区", "310115", "200120"}}}}},
	{"江苏省", 9, false, []city{
		{"南京市", []district{{"玄武区", "320102", "210018"}, {"秦淮区", "320104", "210001"}, {"鼓楼区", "320106", "210009"}}},
		{"苏州市", []district{{"吴中区", "320506", "215100"}, {"姑苏区", "320508", "215000"}}},
		{"无锡市", []district{{"梁溪区", "320213", "214000"}}}}},
	{"浙江省", 9, false, []city{
		{"杭州市", []district{{"上城区", "330102", "310002"}, {"拱墅区", "330105", "310011"}, {"西湖区", "330106", "310013"}, {"滨江区", "330108", "310051"}}},
		{"宁波市", []district{{"海曙区", "330203", "315000"}, {"江北区", "330205", "315020"}, {"鄞州区", "330212", "315100"}}},
		{"温州市", []district{{"鹿城区", "330302", "325000"}}}}},
	{"安徽省", 3, false, []city{{"合肥市", []district{
		{"蜀山区", "340104", "230031"}, {"包河区", "340111", "230041"}}}}},
	{"福建省", 4, false, []city{
		{"福州市", []district{{"鼓楼区", "350102", "350001"}, {"台江区", "350103", "350004"}}},
		{"厦门市", []district{{"思明区", "350203", "361001"}, {"湖里区", "350206", "361006"}}}}},
	{"江西省", 2, false, []city{{"南昌市", []district{
		{"东湖区", "360102", "330006"}, {"西湖区", "360103", "330009"}}}}},
	{"山东省", 7, false, []city{
		{"济南市", []district{{"历下区", "370102", "250011"}, {"市中区", "370103", "250001"}}},
		{"青岛市", []district{{"市南区", "370202", "266001"}, {"市北区", "370203", "266011"}, {"崂山区", "370212", "266100"}}}}},
	{"河南省", 6, false, []city{{"郑州市", []district{
		{"中原区", "410102", "450007"}, {"二七区", "410103", "450052"}, {"金水区", "410105", "450008"}}}}},
	{"湖北省", 5, false, []city{{"武汉市", []district{
		{"江岸区", "420102", "430010"}, {"武昌区", "420106", "430060"}, {"洪山区", "420111", "430070"}}}}},
	{"湖南省", 4, false, []city{{"长沙市", []district{
		{"芙蓉区", "430102", "410011"}, {"天心区", "430103", "410004"}, {"岳麓区", "430104", "410006"}}}}},
	{"广东省", 14, false, []city{
		{"广州市", []district{{"越秀区", "440104", "510030"}, {"海珠区", "440105", "510220"}, {"天河区", "440106", "510620"}}},
		{"深圳市", []district{{"罗湖区", "440303", "518001"}, {"福田区", "440304", "518033"}, {"南山区", "440305", "518052"}}},
		{"佛山市", []district{{"禅城区", "440604", "528000"}}}}},
	{"广西壮族自治区", 2, false, []city{{"南宁市", []district{
		{"兴宁区", "450102", "530012"}, {"青秀区", "450103", "530022"}}}}},
	{"海南省", 1, false, []city{{"海口市", []district{
		{"龙华区", "460106", "570105"}, {"美兰区", "460108", "570203"}}}}},
	{"重庆市", 3, true, []city{{"重庆市", []district{
		{"渝中区", "500103", "400010"}, {"江北区", "500105", "400020"}, {"沙坪坝区", "500106", "400030"},
		{"渝北区", "500112", "401120"}}}}},
	{"四川省", 6, false, []city{
		{"成都市", []district{{"锦江区", "510104", "610021"}, {"青羊区", "510105", "610031"}, {"武侯区", "510107", "610041"}, {"成华区", "510108", "610051"}}},
		{"绵阳市", []district{{"涪城区", "510703", "621000"}}}}},
	{"贵州省", 1, false, []city{{"贵阳市", []district{
		{"南明区", "520102", "550001"}, {"云岩区", "520103", "550001"}}}}},
	{"云南省", 2, false, []city{{"昆明市", []district{
		{"五华区", "530102", "650021"}, {"盘龙区", "530103", "650051"}}}}},
	{"陕西省", 3, false, []city{{"西安市", []district{
		{"新城区", "610102", "710004"}, {"碑林区", "610103", "710001"}, {"雁塔区", "610113", "710061"}}}}},
	{"甘肃省", 1, false, []city{{"兰州市", []district{{"城关区", "620102", "730030"}}}}},
	{"新疆维吾尔自治区", 1, false, []city{{"乌鲁木齐市", []district{{"天山区", "650102", "830002"}}}}},
}

var roadNames = []string{
	"建国", "人民", "解放", "中山", "长江", "文化", "和平", "新华", "幸福", "青年", "光明", "胜利",
	"友谊", "朝阳", "东风", "科技", "学府", "滨江", "世纪", "创业", "黄河", "迎宾", "南京", "北京",
	"延安", "团结", "振兴", "工业", "花园", "金融", "体育", "环城", "府前", "育才", "望江", "天府",
}

var roadSuffixes = []string{"路", "路", "路", "街", "大街", "大道", "东路", "西路", "南路", "北路", "中路"}

var compounds = []string{
	"阳光花园", "翠湖苑", "锦绣家园", "金色家园", "幸福里", "和谐小区", "绿城花园", "华府天地",
	"碧水湾", "滨江花园", "世纪新城", "书香门第", "紫荆苑", "万家丽园", "枫林湾", "东方明珠苑",
}

// tradeName is a company's trade name (字号) with its pinyin, used for company
// names, office towers and corporate e-mail domains.
type tradeName struct{ han, py string }

var tradeNames = []tradeName{
	{"华信", "huaxin"}, {"恒达", "hengda"}, {"锦程", "jincheng"}, {"博远", "boyuan"}, {"宏图", "hongtu"},
	{"天成", "tiancheng"}, {"瑞丰", "ruifeng"}, {"金鼎", "jinding"}, {"新源", "xinyuan"}, {"鼎盛", "dingsheng"},
	{"中科", "zhongke"}, {"云帆", "yunfan"}, {"汇通", "huitong"}, {"安信", "anxin"}, {"海纳", "haina"},
	{"星辰", "xingchen"}, {"卓越", "zhuoyue"}, {"明德", "mingde"}, {"嘉禾", "jiahe"}, {"永泰", "yongtai"},
	{"联创", "lianchuang"}, {"同舟", "tongzhou"}, {"九州", "jiuzhou"}, {"睿思", "ruisi"}, {"优品", "youpin"},
	{"盛世", "shengshi"}, {"广源", "guangyuan"}, {"信达", "xinda"}, {"德润", "derun"}, {"青禾", "qinghe"},
}

var industries = []string{
	"科技", "贸易", "物流", "信息技术", "电子商务", "餐饮管理", "建筑工程", "医疗器械", "文化传媒",
	"教育咨询", "食品", "实业", "网络科技", "商贸", "企业管理咨询", "新能源",
}

var corpDomainSuffixes = []string{".com", ".cn", ".com.cn", "-tech.com", "group.com"}

// Mobile prefixes in use on the mainland (China Mobile, Unicom, Telecom,
// Broadnet), weighted by how often they show up.
var mobilePrefixes = []weighted{
	{"130", 3}, {"131", 3}, {"132", 3}, {"133", 3}, {"134", 3}, {"135", 5}, {"136", 5}, {"137", 5},
	{"138", 6}, {"139", 6}, {"150", 4}, {"151", 4}, {"152", 4}, {"153", 3}, {"155", 3}, {"156", 3},
	{"157", 3}, {"158", 4}, {"159", 4}, {"166", 1}, {"170", 1}, {"173", 2}, {"175", 1}, {"176", 2},
	{"177", 2}, {"178", 2}, {"180", 3}, {"181", 3}, {"182", 3}, {"183", 3}, {"184", 1}, {"185", 3},
	{"186", 4}, {"187", 4}, {"188", 4}, {"189", 4}, {"191", 1}, {"193", 1}, {"195", 1}, {"198", 2},
	{"199", 2},
}

var emailDomainsCN = []weighted{
	{"qq.com", 30}, {"163.com", 20}, {"126.com", 8}, {"sina.com", 4}, {"sohu.com", 2},
	{"foxmail.com", 4}, {"gmail.com", 6}, {"outlook.com", 4}, {"hotmail.com", 2}, {"yahoo.com", 1},
	{"aliyun.com", 2}, {"139.com", 3}, {"icloud.com", 3},
}

var emailDomainsWestern = []weighted{
	{"gmail.com", 35}, {"outlook.com", 15}, {"hotmail.com", 10}, {"yahoo.com", 8}, {"icloud.com", 8},
	{"qq.com", 5}, {"163.com", 5}, {"proton.me", 3}, {"web.de", 3}, {"gmx.de", 3}, {"orange.fr", 3},
}

// Internationalized domains (all characters are in GBK).
var idnDomains = []string{"例子.中国", "邮箱.中国", "公司.网络", "测试.公司"}

// bin is a card issuer prefix and the card length it issues.
type bin struct {
	prefix string
	length int
	w      int
}

var cardBINs = []bin{
	// UnionPay debit and credit (62...), mostly 19 digits for debit cards.
	{"622202", 19, 12}, {"622848", 19, 10}, {"621700", 19, 9}, {"622588", 16, 6}, {"621226", 19, 5},
	{"622700", 19, 5}, {"622262", 19, 4}, {"625965", 16, 3}, {"621483", 16, 3}, {"623668", 18, 2},
	{"621799", 17, 1},
	// Visa and Mastercard.
	{"4", 16, 9}, {"51", 16, 2}, {"52", 16, 2}, {"53", 16, 1}, {"54", 16, 2}, {"55", 16, 2},
}

var deBanks = []string{"37040044", "50010517", "10070000", "20041133", "70150000", "60050101"}
var gbBanks = []string{"NWBK", "BARC", "LOYD", "HBUK", "MIDL"}
var frBanks = []string{"30004", "30003", "30002", "20041", "10278"}

// IPv4 first octets of large Chinese access networks.
var ipv4FirstOctets = []byte{
	36, 39, 42, 58, 59, 60, 61, 101, 106, 111, 112, 113, 114, 115, 116, 117, 119, 120, 121, 123,
	124, 125, 180, 182, 183, 218, 220, 221, 222, 223,
}

// IPv6 /16 prefixes of Chinese carriers (Telecom 240e, Unicom 2408, Mobile 2409).
var ipv6Prefixes = []uint16{0x240e, 0x2408, 0x2409}

var notesHarmless = []string{
	"客户希望下周回访", "已发送产品手册", "对价格比较敏感", "老客户，续费意向强", "需要开具增值税专用发票",
	"预约周三下午演示", "已转交售后处理", "客户反馈物流较慢", "关注会员积分活动", "暂无购买计划",
	"要求延长试用期", "推荐了企业版方案", "投诉已处理完毕", "希望周末配送", "合同已盖章寄回",
	`客户说"下个月再说"`, "春节后再联系", "已加微信群",
	"prefers e-mail contact", "interested in annual plan", "asked for a discount",
	"follow up after Chinese New Year", "requested invoice copy", "VIP customer",
	"do not call before 10am", "complaint resolved", "trial extended by 14 days",
	"referred by existing customer", "price, delivery, and support discussed",
}

// Notes spanning several lines (written as quoted fields with embedded newlines).
var notesMultiline = []string{
	"第一次回访：无人接听\n第二次回访：已确认订单",
	"1) 已寄样品\n2) 等待客户确认",
	"called twice, no answer\nleft voicemail",
	"回访记录：\n- 满意度高\n- 希望增加发票抬头",
	"meeting notes:\nwants bulk pricing, \"urgent\"",
}

// Templates for notes that carry personal data: %P is a phone number, %E an
// e-mail address, %N a person's name.
var notesPII = []string{
	"请拨打%P联系", "客户要求改用手机%P联系", "备用电话：%P", "新邮箱%E，请更新", "报价单已发至%E",
	"call back on %P", "send the contract to %E", "customer changed e-mail to %E",
	"联系人手机%P，工作日联系", "his assistant can be reached at %P", "紧急联系人：%N %P",
	"回访记录：\n客户留了新号码%P", "please cc %N (%E) on invoices",
}

var staffRegions = []string{"华东", "华北", "华南", "华中", "西南", "西北", "东北"}

var staffRoles = []weighted{
	{"sales", 45}, {"support", 18}, {"manager", 10}, {"admin", 5}, {"analyst", 10}, {"marketing", 12},
}

var staffDomains = []string{"hengtai-group.com.cn", "jinyuan-tech.cn", "ruifeng-crm.com", "huaxia-retail.cn"}

var courses = []string{
	"Python数据分析入门", "Excel高效办公", "项目管理实战", "个人信息保护合规实务", "财务报表分析",
	"商务英语口语", "短视频运营", "机器学习基础", "高级Java开发", "人力资源管理实务", "CPA会计备考",
	"PMP认证冲刺班", "日语N2强化", "摄影入门", "健康管理师培训", "Data Visualization with Tableau",
	"Leadership Essentials", "跨境电商实操",
}

// Lifetime value of a customer, in cents.
var ltvBands = []band{
	{10_000, 100_000, 20}, {100_000, 500_000, 35}, {500_000, 2_000_000, 25},
	{2_000_000, 10_000_000, 15}, {10_000_000, 200_000_000, 5},
}

// Amount of one order, in cents.
var orderBands = []band{
	{100, 5_000, 15}, {5_000, 20_000, 30}, {20_000, 100_000, 35},
	{100_000, 500_000, 15}, {500_000, 5_000_000, 5},
}
