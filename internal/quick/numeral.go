package quick

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Chinese numerals for quantities (words/zh.toml [numeral], [numeral_unit]):
// each digit's value (两 is 2), and each unit's power of ten (十 1, 百 2,
// 千 3, 万 4).
var (
	numeralDigits = wordTable("numeral", digitValue)
	numeralUnits  = wordTable("numeral_unit", powerOfTen)
)

// digitValue reads a [numeral] key.
func digitValue(key string) (int, error) {
	n, err := strconv.Atoi(key)
	if err != nil || n < 0 || n > 9 {
		return 0, fmt.Errorf("want a digit from 0 to 9")
	}
	return n, nil
}

// wan is the power of ten of 万, which closes a section of the numeral.
const wan = 4

// leadingNumeral reads the Chinese numeral at the start of s — "二十",
// "两百", "十二", "一千零五十", "三万五千", and as people say them "一千二"
// (1,200) and "两万五" (25,000) — and returns its value and what follows,
// trimmed. ok is false when s starts with no numeral, or with characters
// that make none ("二二", "百", "十百"): such a part is words, not a
// number. One pass over the numeral's characters.
func leadingNumeral(s string) (value int64, rest string, ok bool) {
	var (
		total, section int64      // the 万s read; what is below them
		digit          int64 = -1 // a digit waiting for its unit
		last                 = wan + 1
		zero                 = false // a 零 since the last unit
		sawWan               = false
		read                 = 0
	)
	for read < len(s) {
		r, size := utf8.DecodeRuneInString(s[read:])
		ch := string(r)
		if d, isDigit := numeralDigits[ch]; isDigit {
			switch {
			case digit >= 0:
				return 0, s, false // two digits in a row
			case d == 0:
				zero = true
			default:
				digit = int64(d)
			}
			read += size
			continue
		}
		u, isUnit := numeralUnits[ch]
		if !isUnit {
			break
		}
		switch {
		case u == wan:
			if sawWan || (section == 0 && digit < 0) {
				return 0, s, false // a second 万, or 万 of nothing
			}
			total, section, sawWan = (section+max(digit, 0))*10_000, 0, true
		case u >= last:
			return 0, s, false // units fall within a section: 千, 百, 十
		case digit >= 0:
			section += digit * pow10(u)
		case u == 1 && section == 0 && !zero:
			section = 10 // "十二", "十万"
		default:
			return 0, s, false
		}
		digit, last, zero = -1, u, false
		read += size
	}
	if read == 0 {
		return 0, s, false
	}
	if digit >= 0 {
		if !zero && last >= 2 && last <= wan {
			digit *= pow10(last - 1) // "一千二" is 1,200, "两万五" 25,000
		}
		section += digit
	}
	return total + section, strings.TrimSpace(s[read:]), true
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}
