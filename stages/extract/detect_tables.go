package extract

// Character sets the encoding detector treats as evidence. A right decoding
// of real text is dense in the most frequent characters of its language; a
// wrong one scatters over a code space of thousands of characters, of which
// these lists are a small part. The lists are general frequency knowledge
// (everyday vocabulary, surnames, address and company words), not taken from
// any test file.

// commonHan: frequent Chinese characters, simplified and traditional, plus
// the commonest Japanese kanji.
const commonHan = "" +
	// simplified, by frequency
	"的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴切急阿布注价停具河食球型层" +
	// traditional forms of the above that differ
	"這來國個說們為時會著過學對裡後麼發沒於還當見經頭從動兩長樣現將與進實點種聲話兒問機給幾業間電門東聽氣關並內卻軍產萬眼體別處總場師書員華報馬張難數車應親邊戰乾許覺統請愛讓認論義術結連遠資隊帶條變聯權該領傳紅決達辦運區轉眾輕語滿寫識極黃臉錢黨設雙歷廣議際單據導網專誰讀飛觀爭組濟離雖壞興價層" +
	// surnames
	"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤" +
	"劉陳楊趙吳孫羅鄭謝許韓馮鄧蕭葉蘇呂盧薑鍾譚陸賈韋鄒閻龍陶賀顧龔萬錢嚴湯" +
	// given-name, address and company words
	"伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玲燕辉鹏飞宇浩婷雪梅琳颖欣怡晨阳佳俊峰志文斌建国红波" +
	"偉麗軍艷傑濤鵬飛燕穎陽" +
	"省市区县镇乡村街道路号楼室栋单元巷弄小区花园广场大厦中心东南西北" +
	"縣鎮鄉區號樓棟園廣廈" +
	"公司有限责任股份集团科技贸易实业发展投资管理咨询服务网络信息技术工程建设设计商贸电子销售客户联系电话手机邮箱地址备注状态金额订单合同日期创建负责人提交修改" +
	"責團貿發資詢務絡資訊設計銷售戶聯繫話機郵箱備註狀態額訂單創負責" +
	// classical and literary function words
	"曰者也故乃焉矣兮哉乎而其以之所謂谓" +
	// Japanese kanji
	"日一人年大十二本中長出三時行見月分後前生五間上東四今金九入学高円子外八六下来気小七山話女北午百書先名川千水半男西電校語土木聞食車何南万毎白天母火右読友左休父雨" +
	"会社員部課様事業務者方用問題気持思言考自分私僕彼彼女今日明朝夜時間場所家族"

// commonHangul: frequent Korean syllables.
const commonHangul = "" +
	"이의다는에하고을가로한지서기도사니리자대어일아나인들수시해정그부적게전있으과구제보상여주라장를만국것은요면소였성동위원내세회우경중무화년신생습했까었할문조된되없말와모분오계공물실비발개교마단결금관영연미방치학안간음체거선재운반러및유식명날합각현며후데두처함져터께람저같번울알째잘못좀더또잔운눈속곳때우리너희그녀너무다시어떤무슨모든오늘내일때문"

// jaKana reports hiragana and katakana (not half-width).
func jaKana(r rune) bool { return r >= 0x3041 && r <= 0x30FF && r != 0x30A0 }

// commonLatin: letters of the Western European languages (French, Spanish,
// Portuguese, German, Italian, Dutch, Scandinavian) and windows-1252's extras.
const commonLatin = "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿŒœ"

// lessCommonLatin: letters windows-1252 and iso-8859-15 add that Western
// text seldom uses (names from Central Europe).
const lessCommonLatin = "ŠšŽžŸ"

// commonSymbols: punctuation and signs real Western text uses.
const commonSymbols = "\u00A0«»°£€¿¡§©®·–—‘’‚“”„•…ºª²³½µ™"
