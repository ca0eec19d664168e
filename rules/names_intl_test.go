package rules

import "testing"

// TestInternationalNames: single given names and surnames of the embedded
// European lists, Japanese names written with a space, and Chinese place
// names that are not person names.
func TestInternationalNames(t *testing.T) {
	l, err := newLexicon()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"Jiří", "Dvořák", "Kowalczyk", "Giuseppe", "Esposito", "Mäkinen", "Virtanen", "佐藤 太郎", "小泉 あすか", "鈴木　一郎", "张伟", "王芳"} {
		if !l.personName(v) {
			t.Errorf("personName(%q) = false", v)
		}
	}
	for _, v := range []string{"东城区", "密云县", "北京市", "王府井店", "北京 朝阳", "无线 鼠标", "Invoice"} {
		if l.personName(v) {
			t.Errorf("personName(%q) = true", v)
		}
	}
	for _, v := range []string{"东城区", "密云县", "阿坝藏族羌族自治州", "锡林郭勒盟", "辛集市"} {
		if !l.region(v) {
			t.Errorf("region(%q) = false", v)
		}
	}
	for _, v := range []string{"阳光小区", "市辖区", "区", "广州市"} {
		if l.region(v) {
			t.Errorf("region(%q) = true", v)
		}
	}
}
