package audit

import "testing"

// TestDetectCRMHeaders: the CSV headers of Zoho CRM, 纷享销客 and 简道云 logs
// pick their mapping; a Chinese header that shows neither vendor's own
// columns picks none (the user names the mapping), and Salesforce's Setup
// Audit Trail (Date, User, Action, Section) stays Salesforce.
func TestDetectCRMHeaders(t *testing.T) {
	cases := []struct {
		header []string
		want   string
	}{
		{[]string{"Time", "Done By", "Action", "Module", "Record Name", "IP Address"}, MappingZoho},
		{[]string{"Audited Time", "User", "Action", "Feature"}, MappingZoho},
		{[]string{"Date", "User", "Source Namespace Prefix", "Action", "Section", "Delegate User"}, MappingSalesforceSetupAudit},
		{[]string{"操作时间", "操作人", "操作类型", "对象", "数据名称", "操作内容", "IP地址"}, MappingFxiaoke},
		{[]string{"登录时间", "登录人", "登录IP", "登录地点", "登录结果"}, MappingFxiaoke},
		{[]string{"操作时间", "操作人", "操作类型", "操作对象", "所属应用", "触发方式", "IP地址"}, MappingJiandaoyun},
		{[]string{"登录时间", "成员", "IP地址", "登录方式", "登录结果"}, MappingJiandaoyun},
		{[]string{"操作时间", "操作人", "操作类型", "IP地址"}, ""},
		{[]string{"时间", "金额", "客户"}, ""},
	}
	for _, c := range cases {
		if got := detectCSV(c.header); got != c.want {
			t.Errorf("%v: got %q, want %q", c.header, got, c.want)
		}
	}
}
