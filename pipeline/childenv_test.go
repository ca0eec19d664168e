package pipeline

import (
	"slices"
	"testing"
)

func TestChildEnvKeepsOnlyAllowListed(t *testing.T) {
	in := []string{"PATH=/usr/bin", "HOME=/var/lib/vigil", "LC_ALL=C.UTF-8", "TZ=Asia/Shanghai",
		"VIGIL_PASSPHRASE=secret", "PGPASSWORD=pw", "DATABASE_URL=postgres://u:pw@h/db", "VIGIL_PG_DSN=x",
		"AWS_SECRET_ACCESS_KEY=k", "AWS_ACCESS_KEY_ID=i", "CRM_TOKEN=t", "no-equals-sign", "VIGIL_NOTIFY_PAGER=p"}
	got := childEnv(in)
	want := []string{"PATH=/usr/bin", "HOME=/var/lib/vigil", "LC_ALL=C.UTF-8", "TZ=Asia/Shanghai", "VIGIL_NOTIFY_PAGER=p"}
	if !slices.Equal(got, want) {
		t.Fatalf("childEnv = %q, want %q", got, want)
	}
}
