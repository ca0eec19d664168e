package audit

import "strings"

// Zoho CRM, 纷享销客 (Fxiaoke / ShareCRM) and 简道云 (Jiandaoyun) logs.
//
// None of the three vendors publishes the column list of its log
// downloads. The mappings read the columns their help pages show in the
// log views and name as export filters (testdata/logs/README.md lists the
// pages), under each header spelling seen there; a column a file lacks is
// NULL. Actions are told from the action text in the vendor's words.
//
//   - Zoho CRM audit log export (Setup > Audit Log > Export, or the Export
//     Audit Log API's AuditLog.csv): time, user (Done By), action (Added,
//     Updated, Deleted, Mass Updated, Mass Deleted, Exported, Imported, …),
//     module, record, source and IP address.
//   - 纷享销客 管理后台 操作日志 / 登录日志: 操作时间, 操作人, 操作类型, 对象,
//     数据名称, 操作内容, IP地址, 终端; 登录时间, 登录人, 登录IP, 登录地点,
//     登录方式, 登录结果.
//   - 简道云 企业管理 操作日志 / 审计日志 / 登录日志: 操作时间, 操作人, 操作类型
//     (事件), 操作对象, 所属应用, 触发方式, IP地址, 详情; 登录时间, 成员, IP地址,
//     登录方式, 设备, 登录结果.

// Built-in mapping names.
const (
	MappingZoho       = "zoho"       // Zoho CRM audit log export (CSV)
	MappingFxiaoke    = "fxiaoke"    // 纷享销客 操作日志 / 登录日志 export (CSV)
	MappingJiandaoyun = "jiandaoyun" // 简道云 操作日志 / 审计日志 / 登录日志 export (CSV)
)

// anyCol is the first non-empty value among the columns (header spellings).
func anyCol(names ...string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "NULLIF(trim(" + quoteIdent(n) + "), '')"
	}
	if len(q) == 1 {
		return q[0]
	}
	return "coalesce(" + strings.Join(q, ", ") + ")"
}

// localTimeExpr parses the date formats of the three vendors' downloads
// (ISO 8601; yyyy-MM-dd / yyyy/MM/dd / yyyy年MM月dd日 with optional seconds;
// Zoho's MMM d, yyyy h:mm a and MM/dd/yyyy h:mm a). Times without an offset
// are read in the mapping's time_zone.
func localTimeExpr(col string) string {
	t := `trim(regexp_replace(regexp_replace(regexp_replace(` + col + `, '[年月]', '-', 'g'), '日', ' ', 'g'), '\s+', ' ', 'g'))`
	t = `replace(` + t + `, ',', '')`
	return `=CASE WHEN regexp_matches(` + col + `, '^\d{4}-\d\d-\d\dT') THEN ` + col + ` ELSE strftime(coalesce(
		try_strptime(` + t + `, '%Y-%m-%d %H:%M:%S'), try_strptime(` + t + `, '%Y-%m-%d %H:%M'),
		try_strptime(` + t + `, '%Y/%m/%d %H:%M:%S'), try_strptime(` + t + `, '%Y/%m/%d %H:%M'),
		try_strptime(` + t + `, '%b %d %Y %I:%M %p'), try_strptime(` + t + `, '%b %d %Y %I:%M:%S %p'),
		try_strptime(` + t + `, '%d %b %Y %I:%M %p'), try_strptime(` + t + `, '%d %b %Y %H:%M'),
		try_strptime(` + t + `, '%m/%d/%Y %I:%M %p'), try_strptime(` + t + `, '%m/%d/%Y %I:%M:%S %p'),
		try_strptime(` + t + `, '%m/%d/%Y %H:%M:%S'), try_strptime(` + t + `, '%m/%d/%Y %H:%M')), '%Y-%m-%d %H:%M:%S') END`
}

// countIn extracts a record count written in the action or detail text
// ("25 records", "共 25 条", "25条记录").
func countIn(text string) string {
	return `TRY_CAST(NULLIF(coalesce(NULLIF(regexp_extract(` + text + `, '(\d+)\s*(?:records?|entries)', 1), ''),
		regexp_extract(` + text + `, '(\d+)\s*条', 1)), '') AS BIGINT)`
}

// zohoMapping reads the Zoho CRM audit log export.
func zohoMapping() Mapping {
	t := anyCol("Time", "Audited Time", "Audited_Time", "Date", "Done On", "Date & Time")
	user := anyCol("Done By", "Done_By", "User", "User Name", "Performed By")
	act := `lower(coalesce(` + anyCol("Action", "Action Type") + `, ''))`
	module := anyCol("Module", "Feature", "Type")
	record := anyCol("Record Name", "Record", "Record_Name", "Name")
	detail := `lower(coalesce(` + anyCol("Details", "Detail", "Description", "Changes") + `, ''))`
	text := `(` + act + ` || ' ' || ` + detail + `)`
	return Mapping{
		Name:   MappingZoho,
		Format: "csv",
		Columns: varchars("Time", "Audited Time", "Audited_Time", "Date", "Done On", "Date & Time", "Done By", "Done_By",
			"User", "User Name", "Performed By", "Action", "Action Type", "Module", "Feature", "Type", "Record Name",
			"Record", "Record_Name", "Name", "Record ID", "Record_Id", "Source", "IP Address", "IP", "Details", "Detail",
			"Description", "Changes"),
		Fields: map[string]string{
			"time": localTimeExpr(t),
			"user": "=" + user,
			"action": `=CASE
				WHEN ` + act + ` = '' THEN NULL
				WHEN ` + act + ` LIKE '%login as%' OR ` + act + ` LIKE '%logged in as%' OR ` + act + ` LIKE '%impersonat%' THEN 'impersonate'
				WHEN ` + act + ` LIKE '%login fail%' OR ` + act + ` LIKE '%failed login%' THEN 'login_failed'
				WHEN ` + act + ` LIKE '%logout%' OR ` + act + ` LIKE '%logged out%' OR ` + act + ` LIKE '%sign%out%' THEN 'logout'
				WHEN ` + act + ` LIKE '%login%' OR ` + act + ` LIKE '%logged in%' OR ` + act + ` LIKE '%sign%in%' THEN 'login'
				WHEN ` + text + ` LIKE '%two%factor%' OR ` + text + ` LIKE '%multi%factor%' OR ` + text + ` LIKE '%mfa%' OR ` + text + ` LIKE '%tfa%' THEN 'mfa_change'
				WHEN ` + act + ` LIKE '%export%' OR ` + act + ` LIKE '%download%' OR ` + act + ` LIKE '%print%' THEN 'export'
				WHEN ` + act + ` LIKE '%delet%' OR ` + act + ` LIKE '%remov%' OR ` + act + ` LIKE '%purg%' THEN
					CASE WHEN ` + module + ` IN ('Users', 'Profiles', 'Roles') THEN 'permission_change' ELSE 'delete' END
				WHEN ` + act + ` LIKE '%share%' OR ` + act + ` LIKE '%public link%' THEN 'share'
				WHEN ` + act + ` LIKE '%view%' OR ` + act + ` LIKE '%access%' THEN 'view'
				WHEN ` + act + ` LIKE '%search%' THEN 'search'
				WHEN ` + module + ` IN ('Users', 'Profiles', 'Roles', 'Groups')
					AND (` + text + ` LIKE '%profile%' OR ` + text + ` LIKE '%role%' OR ` + act + ` LIKE '%activat%'
						OR ` + act + ` LIKE '%deactivat%' OR ` + act + ` LIKE '%permission%' OR ` + act + ` LIKE '%administrator%') THEN 'permission_change'
				WHEN ` + act + ` LIKE '%authori%' OR ` + act + ` LIKE '%connected app%' OR ` + act + ` LIKE '%oauth%' THEN 'app_consent'
				ELSE 'update' END`,
			"status":       `=CASE WHEN ` + act + ` LIKE '%fail%' THEN 'failure' ELSE 'success' END`,
			"object_type":  `=lower(` + module + `)`,
			"object_id":    `=coalesce(` + record + `, ` + anyCol("Record ID", "Record_Id") + `)`,
			"record_count": `=CASE WHEN ` + act + ` LIKE '%mass%' OR ` + act + ` LIKE '%export%' OR ` + act + ` LIKE '%import%' THEN ` + countIn(text) + ` END`,
			"src_ip":       "=" + anyCol("IP Address", "IP"),
			"user_agent":   "=" + anyCol("Source"),
			"detail": `=CASE
				WHEN ` + text + ` LIKE '%two%factor%' OR ` + text + ` LIKE '%multi%factor%' OR ` + text + ` LIKE '%mfa%' OR ` + text + ` LIKE '%tfa%' THEN
					CASE WHEN ` + text + ` LIKE '%disabl%' OR ` + text + ` LIKE '%remov%' OR ` + text + ` LIKE '%turned off%' OR ` + text + ` LIKE '%reset%' THEN 'disabled' ELSE 'enabled' END
				WHEN ` + act + ` LIKE '%public link%' THEN 'public link'
				WHEN ` + act + ` LIKE '%share%' AND ` + text + ` LIKE '%external%' THEN 'external'
				WHEN ` + module + ` IN ('Users', 'Profiles', 'Roles') AND (` + text + ` LIKE '%administrator%') AND ` + act + ` NOT LIKE '%delet%' AND ` + act + ` NOT LIKE '%remov%'
					THEN 'granted Administrator'
				WHEN ` + act + ` LIKE '%deactivat%' THEN 'revoked login'
				ELSE ` + anyCol("Action", "Action Type") + ` END`,
		},
	}
}

// chineseAction maps the 操作类型 / 事件 text of the Chinese CRMs' logs to a
// canonical action. isLogin marks a row of a 登录日志 (a login time column).
func chineseAction(act, text, isLogin, result string) string {
	has := func(words ...string) string {
		parts := make([]string, len(words))
		for i, w := range words {
			parts[i] = act + ` LIKE '%` + w + `%'`
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	}
	textHas := func(words ...string) string {
		parts := make([]string, len(words))
		for i, w := range words {
			parts[i] = text + ` LIKE '%` + w + `%'`
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	}
	failed := `(` + result + ` LIKE '%失败%' OR ` + result + ` LIKE '%fail%' OR ` + result + ` LIKE '%错误%' OR ` + act + ` LIKE '%失败%')`
	return `CASE
		WHEN ` + isLogin + ` AND (` + has("退出", "登出", "注销") + ` OR ` + result + ` LIKE '%退出%' OR ` + result + ` LIKE '%登出%') THEN 'logout'
		WHEN ` + isLogin + ` THEN CASE WHEN ` + failed + ` THEN 'login_failed' ELSE 'login' END
		WHEN ` + act + ` = '' THEN NULL
		WHEN ` + has("代登录", "模拟登录", "以他人身份", "身份登录", "切换身份") + ` THEN 'impersonate'
		WHEN ` + has("登录失败") + ` THEN 'login_failed'
		WHEN ` + has("退出", "登出", "注销登录") + ` THEN 'logout'
		WHEN ` + has("登录") + ` AND NOT ` + has("密码", "修改", "设置", "重置", "策略") + ` THEN CASE WHEN ` + failed + ` THEN 'login_failed' ELSE 'login' END
		WHEN ` + textHas("二次验证", "双因素", "两步验证", "多因素", "动态口令") + ` THEN 'mfa_change'
		WHEN ` + has("授权应用", "应用授权", "第三方应用", "oauth") + ` THEN 'app_consent'
		WHEN ` + has("转发") + ` THEN 'mail_forward'
		WHEN ` + has("导出", "下载", "打印") + ` THEN 'export'
		WHEN ` + has("分享", "外链", "公开链接", "共享") + ` THEN 'share'
		WHEN ` + has("移除成员", "删除成员", "移除员工", "删除员工") + ` THEN 'permission_change'
		WHEN ` + has("角色", "权限", "管理员", "停用", "禁用", "启用", "冻结", "离职") + ` THEN 'permission_change'
		WHEN ` + has("删除", "作废", "移除", "清空") + ` THEN 'delete'
		WHEN ` + has("查看", "浏览", "预览", "访问") + ` THEN 'view'
		WHEN ` + has("搜索", "查询", "筛选") + ` THEN 'search'
		WHEN ` + has("新建", "新增", "创建", "添加", "编辑", "修改", "更新", "导入", "变更", "更换", "转移", "分配", "合并", "恢复", "提交", "审批", "锁定", "解锁") + ` THEN 'update'
		ELSE ` + act + ` END`
}

// chineseDetail describes the changes detections read: MFA on/off, public
// or external shares, grants and revocations.
func chineseDetail(act, text string) string {
	return `CASE
		WHEN ` + text + ` LIKE '%二次验证%' OR ` + text + ` LIKE '%双因素%' OR ` + text + ` LIKE '%两步验证%' OR ` + text + ` LIKE '%多因素%' OR ` + text + ` LIKE '%动态口令%' THEN
			CASE WHEN ` + text + ` LIKE '%关闭%' OR ` + text + ` LIKE '%停用%' OR ` + text + ` LIKE '%取消%' OR ` + text + ` LIKE '%解绑%' OR ` + text + ` LIKE '%禁用%' THEN 'disabled' ELSE 'enabled' END
		WHEN ` + act + ` LIKE '%公开链接%' OR ` + act + ` LIKE '%外链%' OR ` + text + ` LIKE '%公开%' THEN 'public link'
		WHEN (` + act + ` LIKE '%分享%' OR ` + act + ` LIKE '%共享%') AND (` + text + ` LIKE '%外部%' OR ` + text + ` LIKE '%互联%') THEN 'external'
		WHEN (` + act + ` LIKE '%管理员%' OR ` + text + ` LIKE '%管理员%') AND ` + act + ` NOT LIKE '%删除%' AND ` + act + ` NOT LIKE '%移除%' AND ` + act + ` NOT LIKE '%取消%' THEN 'granted 管理员'
		WHEN ` + act + ` LIKE '%停用%' OR ` + act + ` LIKE '%禁用%' OR ` + act + ` LIKE '%冻结%' OR ` + act + ` LIKE '%离职%'
			OR ` + act + ` LIKE '%移除成员%' OR ` + act + ` LIKE '%删除成员%' OR ` + act + ` LIKE '%移除员工%' OR ` + act + ` LIKE '%删除员工%' THEN 'revoked login'
		END`
}

// chineseCRMMapping builds the mapping of a Chinese CRM's operation and
// login log downloads from its header spellings.
func chineseCRMMapping(name string, timeCols, loginTimeCols, userCols, actionCols, objectCols, recordCols, detailCols,
	ipCols, agentCols, resultCols, locationCols []string) Mapping {
	var all []string
	for _, l := range [][]string{timeCols, loginTimeCols, userCols, actionCols, objectCols, recordCols, detailCols, ipCols, agentCols, resultCols, locationCols} {
		all = append(all, l...)
	}
	t := anyCol(append(append([]string{}, timeCols...), loginTimeCols...)...)
	isLogin := `(` + anyCol(loginTimeCols...) + ` IS NOT NULL)`
	act := `lower(coalesce(` + anyCol(actionCols...) + `, ''))`
	detail := `coalesce(` + anyCol(detailCols...) + `, '')`
	text := `(` + act + ` || ' ' || lower(` + detail + `))`
	result := `lower(coalesce(` + anyCol(resultCols...) + `, ''))`
	action := chineseAction(act, text, isLogin, result)
	return Mapping{
		Name:     name,
		Format:   "csv",
		TimeZone: "Asia/Shanghai", // the consoles show and export Beijing time without an offset
		Columns:  varchars(all...),
		Fields: map[string]string{
			"time":   localTimeExpr(t),
			"user":   "=" + anyCol(userCols...),
			"action": "=" + action,
			"status": `=CASE WHEN ` + result + ` LIKE '%失败%' OR ` + result + ` LIKE '%fail%' OR ` + result + ` LIKE '%错误%' THEN 'failure'
				WHEN ` + result + ` <> '' THEN 'success' END`,
			"object_type":  "=" + anyCol(objectCols...),
			"object_id":    "=" + anyCol(recordCols...),
			"record_count": `=CASE WHEN ` + act + ` LIKE '%批量%' OR ` + act + ` LIKE '%导出%' OR ` + act + ` LIKE '%导入%' THEN ` + countIn(text) + ` END`,
			"src_ip":       "=" + anyCol(ipCols...),
			"city":         "=" + anyCol(locationCols...),
			"user_agent":   "=" + anyCol(agentCols...),
			"detail":       `=coalesce(` + chineseDetail(act, text) + `, NULLIF(` + detail + `, ''))`,
		},
	}
}

// fxiaokeMapping reads 纷享销客 操作日志 and 登录日志 downloads.
func fxiaokeMapping() Mapping {
	return chineseCRMMapping(MappingFxiaoke,
		[]string{"操作时间", "时间"},
		[]string{"登录时间"},
		[]string{"操作人", "登录人", "员工", "员工姓名", "账号", "登录账号"},
		[]string{"操作类型", "操作行为", "操作", "动作", "登录类型"},
		[]string{"对象", "业务对象", "对象名称", "模块", "操作模块"},
		[]string{"数据名称", "数据", "记录名称", "数据ID"},
		[]string{"操作内容", "操作详情", "详情", "内容", "备注"},
		[]string{"IP地址", "IP", "登录IP", "操作IP"},
		[]string{"终端", "设备", "登录方式", "来源", "客户端"},
		[]string{"登录结果", "结果", "状态", "登录状态"},
		[]string{"登录地点", "地点", "归属地", "IP归属地"},
	)
}

// jiandaoyunMapping reads 简道云 操作日志 / 审计日志 and 登录日志 downloads.
func jiandaoyunMapping() Mapping {
	return chineseCRMMapping(MappingJiandaoyun,
		[]string{"操作时间", "时间", "发生时间"},
		[]string{"登录时间"},
		[]string{"操作人", "操作者", "成员", "用户", "登录成员"},
		[]string{"操作类型", "事件", "事件类型", "操作", "登录类型"},
		[]string{"操作对象", "对象", "所属应用", "应用", "表单"},
		[]string{"对象名称", "数据", "数据ID", "表单名称"},
		[]string{"详情", "操作详情", "操作内容", "内容", "描述"},
		[]string{"IP地址", "IP", "登录IP"},
		[]string{"设备", "登录方式", "触发方式", "客户端", "终端"},
		[]string{"登录结果", "结果", "状态"},
		[]string{"登录地点", "地点", "IP归属地"},
	)
}
