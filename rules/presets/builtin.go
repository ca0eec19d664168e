package presets

// The built-in presets. Field names come from the vendors' documentation
// (see each preset's Sources); where a vendor documents API names and the
// export writes display labels (Zoho, fxiaoke, Jiandaoyun), the labels of
// the default (Chinese / English) UI are used, with the API name as a
// further candidate.

// salesforce: the weekly (or monthly) Data Export service. A zip (split
// into ~512 MB zips for large orgs) of one CSV per object, named after the
// object (Account.csv, Contact.csv ...), headers are API field names, ids
// 18 characters, booleans true/false, times ISO 8601 in UTC. The encoding
// is chosen when the export is scheduled (ISO-8859-1 "General US & Western
// Europe" is the default of many orgs, UTF-8 others), hence "auto".
func salesforce() *Preset {
	audit := []string{"IsDeleted", "SystemModstamp", "LastActivityDate", "LastViewedDate", "LastReferencedDate", "CurrencyIsoCode", "RecordTypeId", "MasterRecordId"}
	return &Preset{
		Name: "salesforce", Vendor: "Salesforce (Data Export service)", Format: FormatZipCSV, Ext: ".zip", Encoding: "auto",
		Sources: []string{
			"https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-contact.html",
			"https://developer.salesforce.com/docs/atlas.en-us.api.meta/object_reference/sforce_api_objects_contact.htm",
			"https://developer.salesforce.com/docs/atlas.en-us.api.meta/object_reference/sforce_api_objects_account.htm",
			"https://developer.salesforce.com/docs/atlas.en-us.api.meta/object_reference/sforce_api_objects_lead.htm",
			"https://developer.salesforce.com/docs/atlas.en-us.api.meta/object_reference/sforce_api_objects_user.htm",
			"https://help.salesforce.com/s/articleView?id=sf.admin_exportdata.htm (Export Backup Data: zip archives of CSV files, ~512 MB each)",
		},
		Objects: []Object{
			{Name: "Account", Aliases: []string{"accounts"}, Role: RoleCustomer,
				ID: []string{"Id"}, Owner: []string{"OwnerId"}, Created: []string{"CreatedDate"}, Deleted: []string{"IsDeleted"},
				SystemFields: append([]string{"Jigsaw", "CleanStatus", "IsPersonAccount"}, audit...)},
			{Name: "Contact", Aliases: []string{"contacts"}, Role: RoleCustomer,
				ID: []string{"Id"}, Owner: []string{"OwnerId"}, Created: []string{"CreatedDate"}, Deleted: []string{"IsDeleted"},
				SystemFields: append([]string{"HasOptedOutOfEmail", "HasOptedOutOfFax", "DoNotCall", "IsEmailBounced",
					"EmailBouncedDate", "Jigsaw", "JigsawContactId", "CleanStatus", "LeadSource"}, audit...)},
			{Name: "Lead", Aliases: []string{"leads"}, Role: RoleCustomer,
				ID: []string{"Id"}, Owner: []string{"OwnerId"}, Created: []string{"CreatedDate"}, Deleted: []string{"IsDeleted"},
				SystemFields: append([]string{"HasOptedOutOfEmail", "HasOptedOutOfFax", "DoNotCall", "IsEmailBounced",
					"EmailBouncedDate", "IsConverted", "IsUnreadByOwner", "LeadSource", "Jigsaw", "CleanStatus"}, audit...)},
			{Name: "Opportunity", Aliases: []string{"opportunities"}, Role: RoleOther,
				ID: []string{"Id"}, Owner: []string{"OwnerId"}, Created: []string{"CreatedDate"}, Deleted: []string{"IsDeleted"},
				SystemFields: append([]string{"LeadSource"}, audit...)},
			{Name: "User", Aliases: []string{"users"}, Role: RoleStaff,
				ID: []string{"Id"}, Created: []string{"CreatedDate"},
				Staff: map[string][]string{
					"staff_id": {"Id"}, "user": {"Username"}, "name": {"Name"}, "email": {"Email"},
					"status": {"IsActive"}, "region": {"Department"},
				},
				StatusValues: map[string]string{"true": "active", "false": "disabled"},
				SystemFields: []string{"IsActive", "UserType", "ProfileId", "UserRoleId", "EmailEncodingKey", "LanguageLocaleKey",
					"LocaleSidKey", "TimeZoneSidKey", "SystemModstamp", "LastViewedDate", "LastReferencedDate"}},
		},
	}
}

// zoho: Zoho CRM module exports (Setup › Data Administration › Export, or
// a list view's Export). One CSV per module, UTF-8, headers are field
// labels; the first column "Record Id" holds the record id written with a
// zcrm_ prefix (zcrm_4876876000000123456), and lookups (owner, created by,
// modified by) come as two columns: the user's name ("Contact Owner") and
// its id ("Contact Owner.id").
func zoho() *Preset {
	audit := []string{"Created Time", "Modified Time", "Last Activity Time", "Change Log Time", "Tag"}
	return &Preset{
		Name: "zoho", Vendor: "Zoho CRM (module export)", Format: FormatCSV, Ext: ".csv", Encoding: "utf-8",
		Sources: []string{
			"https://www.zoho.com/crm/help/data-administration/export-data.html (Export data: module CSV exports)",
			"https://help.zoho.com/portal/kb/articles/when-to-map-contact-id-while-overwriting-records-thro-import (record ids in exported data)",
			"https://www.zoho.com/crm/developer/docs/api/v8/field-meta.html (field API names and labels)",
			"https://www.zoho.com/crm/help/customization/standard-fields.html (standard fields of Leads, Contacts, Accounts)",
		},
		Objects: []Object{
			{Name: "Accounts", Aliases: []string{"account"}, Role: RoleCustomer,
				ID: []string{"Record Id", "Account Id", "id"}, Owner: []string{"Account Owner.id", "Owner.id", "Account Owner"},
				Created: []string{"Created Time"}, SystemFields: audit},
			{Name: "Contacts", Aliases: []string{"contact"}, Role: RoleCustomer,
				ID: []string{"Record Id", "Contact Id", "id"}, Owner: []string{"Contact Owner.id", "Owner.id", "Contact Owner"},
				Created:      []string{"Created Time"},
				SystemFields: append([]string{"Email Opt Out", "Unsubscribed Mode", "Unsubscribed Time"}, audit...)},
			{Name: "Leads", Aliases: []string{"lead"}, Role: RoleCustomer,
				ID: []string{"Record Id", "Lead Id", "id"}, Owner: []string{"Lead Owner.id", "Owner.id", "Lead Owner"},
				Created:      []string{"Created Time"},
				SystemFields: append([]string{"Email Opt Out", "Unsubscribed Mode", "Unsubscribed Time", "Lead Status", "Lead Source"}, audit...)},
			{Name: "Deals", Aliases: []string{"deal", "potentials"}, Role: RoleOther,
				ID: []string{"Record Id", "Deal Id", "id"}, Owner: []string{"Deal Owner.id", "Owner.id", "Deal Owner"},
				Created: []string{"Created Time"}, SystemFields: audit},
			{Name: "Users", Aliases: []string{"user"}, Role: RoleStaff,
				ID: []string{"Record Id", "User Id", "id"},
				Staff: map[string][]string{
					"staff_id": {"Record Id", "User Id", "id"}, "user": {"Email"}, "name": {"Full Name", "Name"}, "email": {"Email"},
					"status": {"Status"}, "role": {"Role"},
				},
				StatusValues: map[string]string{"active": "active", "inactive": "disabled", "deactive": "disabled", "deleted": "disabled"},
				SystemFields: []string{"Created Time", "Modified Time"}},
		},
	}
}

// fxiaoke: 纷享销客 (ShareCRM) list exports. One .xlsx per object, Chinese
// field labels, usually a title row above the header; owners (负责人) and
// creators (创建人) are written as the user's name; 生命状态 / 锁定状态 /
// 业务类型 / 负责人所在部门 / 相关团队 are the system's own fields.
func fxiaoke() *Preset {
	audit := []string{"生命状态", "锁定状态", "锁定规则", "业务类型", "负责人所在部门", "归属部门", "相关团队", "创建时间", "最后修改时间"}
	return &Preset{
		Name: "fxiaoke", Vendor: "纷享销客 ShareCRM (XLSX export)", Format: FormatXLSX, Ext: ".xlsx", Encoding: "utf-8",
		Sources: []string{
			"https://open.fxiaoke.com/wiki.html (开放平台: 预设对象 AccountObj / ContactObj / PersonnelObj and their fields: owner 负责人, created_by 创建人, life_status 生命状态, lock_status 锁定状态, record_type 业务类型, owner_department 负责人所在部门, relevant_team 相关团队)",
			"https://help.fxiaoke.com (帮助中心: 数据导出 — list exports as Excel)",
		},
		Objects: []Object{
			{Name: "客户", Aliases: []string{"AccountObj", "accounts", "customers", "客户列表"}, Role: RoleCustomer,
				ID: []string{"客户编号", "唯一性ID", "_id", "id"}, Owner: []string{"负责人", "owner"}, Created: []string{"创建时间", "create_time"},
				SystemFields: audit},
			{Name: "联系人", Aliases: []string{"ContactObj", "contacts"}, Role: RoleCustomer,
				ID: []string{"联系人编号", "唯一性ID", "_id", "id"}, Owner: []string{"负责人", "owner"}, Created: []string{"创建时间", "create_time"},
				SystemFields: audit},
			{Name: "人员", Aliases: []string{"PersonnelObj", "员工", "staff", "users"}, Role: RoleStaff,
				ID: []string{"员工编号", "_id", "id"},
				Staff: map[string][]string{
					"staff_id": {"姓名", "name"}, "user": {"邮箱", "email", "手机"}, "name": {"姓名", "name"}, "email": {"邮箱", "email"},
					"status": {"状态", "status"}, "region": {"主属部门", "部门"},
				},
				StatusValues: map[string]string{"启用": "active", "正常": "active", "在职": "active", "停用": "disabled", "离职": "disabled"},
				SystemFields: []string{"创建时间", "最后修改时间", "生命状态"}},
		},
	}
}

// jiandaoyun: 简道云 form data exports. Forms are the user's own, so every
// table is a form ("*"); the system adds 数据ID, 提交人, 提交时间, 更新时间
// (and 流程状态 on workflow forms); 提交人 and member fields hold the
// member's name. Sub-form (子表单) fields are read as "子表单.字段"
// columns, one row per record. Members come from the address book export
// (成员).
func jiandaoyun() *Preset {
	return &Preset{
		Name: "jiandaoyun", Vendor: "简道云 Jiandaoyun (XLSX export)", Format: FormatXLSX, Ext: ".xlsx", Encoding: "utf-8",
		Sources: []string{
			"https://hc.jiandaoyun.com/doc/13927 (数据API: 系统字段 appId、entryId、数据ID、提交时间、提交人、修改时间、修改人、流程状态)",
			"https://hc.jiandaoyun.com/open/10993 (表单和数据接口: 字段类型, 子表单 subform, 成员 user)",
			"https://hc.jiandaoyun.com/open/14222 (新建数据: data_creator 数据提交人; 子表单数据 ID since v3)",
		},
		Objects: []Object{
			{Name: "成员", Aliases: []string{"members", "通讯录", "staff", "users"}, Role: RoleStaff,
				ID: []string{"成员编号", "username", "账号"},
				Staff: map[string][]string{
					"staff_id": {"姓名", "成员名称", "name"}, "user": {"邮箱", "email", "成员编号"}, "name": {"姓名", "成员名称"},
					"email": {"邮箱", "email"}, "status": {"状态"}, "region": {"部门", "主部门"},
				},
				StatusValues: map[string]string{"正常": "active", "已激活": "active", "启用": "active", "停用": "disabled", "已离职": "disabled", "禁用": "disabled"}},
			{Name: "*", Role: RoleCustomer,
				ID: []string{"数据ID", "_id"}, Owner: []string{"负责人", "提交人"}, Created: []string{"提交时间", "创建时间"},
				SystemFields: []string{"数据ID", "提交时间", "更新时间", "流程状态"}},
		},
	}
}
