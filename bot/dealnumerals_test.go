package bot_test

import (
	"testing"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
)

// A quantity in Chinese numerals is a quantity, in either language: 二十台
// is 20 units (the words after the measure word are the title), and a won
// deal's 二十台 is the units signed; words that merely start with a
// numeral (一体机) stay the title.
func TestDealQuantityInChineseNumerals(t *testing.T) {
	h := apptest.New(t)
	zh := tgfake.User{ID: 3301, FirstName: "王", Username: "wang", LanguageCode: "zh"}
	en := tgfake.User{ID: 3302, FirstName: "Ann", Username: "ann", LanguageCode: "en"}
	h.Member(zh, "North", "rep")
	h.Member(en, "North", "rep")
	apptest.MustContain(t, h.Send(zh, "/deal 华东机电; 二十台 压缩机; 320万"), "💼 华东机电 的新项目:压缩机\n• 数量:20\n• 金额:3,200,000")
	apptest.MustContain(t, h.Send(zh, "/deal 赢单 华东机电 二十台"), "🏆 赢单:华东机电 —— 压缩机,20 台,3,200,000。")
	apptest.MustContain(t, h.Send(zh, "/deal 华东机电; 一体机; 两百套"), "💼 华东机电 的新项目:一体机\n• 数量:200")
	apptest.MustContain(t, h.Send(en, "/deal Huadong; 十二台; 3.2M CNY"), "💼 New deal for Huadong: 12 台\n• Quantity: 12\n• Value: 3,200,000 CNY")
}
