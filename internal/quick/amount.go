package quick

import (
	"math/big"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"salesbot/models"
)

// Amount is a money amount as read: minor units (cents, 分) and the
// currency code when the text named one ("" when it did not, for the
// caller's default).
type Amount struct {
	Minor    int64
	Currency string
}

// MaxAmountMajor is the largest amount a deal may have, in major units
// (a trillion): anything larger is a typo, not a purchase.
const MaxAmountMajor = 1_000_000_000_000

// MaxQuantity is the largest quantity of units a deal may have.
const MaxQuantity = 10_000_000

// currencyWords maps what people write for a currency, lower case, to its
// ISO code. Symbols come before or after the number; words after.
var currencyWords = wordTable("currency", currencyCode)

// ParseCurrency reads a currency as people name it: a code ("cny", "GBP"),
// a symbol or a word from the amounts' table ("¥", "人民币", "美元").
func ParseCurrency(s string) (string, bool) {
	if code, ok := currencyWords[strings.ToLower(strings.TrimSpace(s))]; ok {
		return code, true
	}
	return models.ParseCurrency(s)
}

// multipliers maps a magnitude word to its factor as a power of ten.
var multipliers = wordTable("magnitude", powerOfTen)

// quantityMultipliers are the magnitude words a quantity may carry ("2万台").
var quantityMultipliers = wordTable("quantity_magnitude", powerOfTen)

// unitWords are the measure words that may follow a quantity; any word in
// Latin letters ("trucks", "units") is accepted too, since it names what is
// counted.
var unitWords = words("unit", "words")

// amountExample is shown with every refusal: an amount that works.
const amountExample = "3.2M CNY"

// ParseAmount reads a money amount as people type it: "3.2M", "320万",
// "1,200,000", "1.5亿", "$20k", "¥50万", "3.2M CNY", "50万元", "EUR 12,000".
// It refuses what is not one amount, a negative or zero amount and one
// above MaxAmountMajor, with an *models.Error whose key names why.
func ParseAmount(s string) (Amount, error) {
	orig, s := typed(s)
	if s == "" {
		return Amount{}, amountErr("err_amount_empty", orig)
	}
	// A currency before the number: "$20k", "cny 3.2m", "¥50万".
	cur, s, _ := leadingWord(s, currencyWords)
	num, exp, rest, negative, ok := leadingMagnitude(s, multipliers)
	switch {
	case negative:
		return Amount{}, amountErr("err_amount_negative", orig)
	case !ok:
		return Amount{}, amountErr("err_amount_unreadable", orig)
	}
	if rest != "" {
		code, ok := currencyWords[rest]
		if !ok || (cur != "" && cur != code) {
			return Amount{}, amountErr("err_amount_unreadable", orig)
		}
		cur = code
	}
	// Exact arithmetic: minor = num × 10^exp × 100, which must be whole.
	minor, bad := wholeCount(scaled(num, exp+2), MaxAmountMajor*100, "err_amount_unreadable", "err_amount_zero", "err_amount_absurd")
	if bad != "" {
		return Amount{}, amountErr(bad, orig)
	}
	return Amount{Minor: minor, Currency: cur}, nil
}

// Quantity is a number of units as read, and the unit word typed with it
// ("台", "trucks"; "" when none).
type Quantity struct {
	Units int64
	Word  string
}

// ParseQuantity reads a quantity as people type it: "20", "20台", "20 units",
// "20 trucks", "1,200 pcs", "2万台", and in Chinese numerals "二十台",
// "两百套", "一千二百件". It refuses a fraction, zero, a negative and
// anything above MaxQuantity.
func ParseQuantity(s string) (Quantity, error) {
	orig, s := typed(s)
	num, exp, rest, negative, ok := leadingMagnitude(s, quantityMultipliers)
	if !ok && !negative {
		var n int64
		if n, rest, ok = leadingNumeral(s); ok {
			num, exp = new(big.Rat).SetInt64(n), 0
		}
	}
	switch {
	case negative:
		return Quantity{}, quantityErr("err_quantity_negative", orig)
	case !ok:
		return Quantity{}, quantityErr("err_quantity_unreadable", orig)
	}
	word := ""
	if rest != "" {
		if !isUnitWord(rest) {
			return Quantity{}, quantityErr("err_quantity_unreadable", orig)
		}
		word = rest
	}
	units, bad := wholeCount(scaled(num, exp), MaxQuantity, "err_quantity_fraction", "err_quantity_zero", "err_quantity_absurd")
	if bad != "" {
		return Quantity{}, quantityErr(bad, orig)
	}
	return Quantity{Units: units, Word: word}, nil
}

// LooksLikeQuantity reports whether s reads as a quantity with a unit word
// ("20台", "20 trucks"): in a quick deal, a bare number is an amount's
// business only when it names a currency or magnitude.
func LooksLikeQuantity(s string) bool {
	q, err := ParseQuantity(s)
	return err == nil && q.Word != ""
}

func isUnitWord(w string) bool {
	for _, u := range unitWords {
		if w == u {
			return true
		}
	}
	if _, money := currencyWords[w]; money {
		return false
	}
	if _, mag := multipliers[w]; mag {
		return false
	}
	// One word of letters: "trucks", "machines".
	if utf8.RuneCountInString(w) > 30 {
		return false
	}
	for _, r := range w {
		if !unicode.IsLetter(r) || r > unicode.MaxLatin1 {
			return false
		}
	}
	return true
}

// leadingNumber reads the decimal number at the start of s: digits with
// optional thousands commas ("1,200,000") and one decimal point. It returns
// the number and what follows.
func leadingNumber(s string) (*big.Rat, string, bool) {
	i := 0
	var b strings.Builder
	sawDigit, sawPoint := false, false
	groupLen := -1 // digits since the last comma, -1 before any comma
	for i < len(s) {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
			sawDigit = true
			if groupLen >= 0 && !sawPoint {
				groupLen++
			}
		case c == ',' && sawDigit && !sawPoint:
			if groupLen >= 0 && groupLen != 3 {
				return nil, "", false
			}
			groupLen = 0
		case c == '.' && sawDigit && !sawPoint:
			if groupLen >= 0 && groupLen != 3 {
				return nil, "", false
			}
			b.WriteByte(c)
			sawPoint = true
		default:
			goto done
		}
		i++
	}
done:
	if !sawDigit || (groupLen >= 0 && !sawPoint && groupLen != 3) {
		return nil, "", false
	}
	txt := strings.TrimSuffix(b.String(), ".")
	if len(txt) > 40 {
		return nil, "", false // far beyond any limit; keeps big.Rat cheap
	}
	r, ok := new(big.Rat).SetString(txt)
	if !ok {
		return nil, "", false
	}
	return r, s[i:], true
}

// typed is s as typed (trimmed, for messages) and as read: width forms
// folded (NFKC), lower case, trimmed.
func typed(s string) (orig, folded string) {
	orig = strings.TrimSpace(s)
	return orig, strings.TrimSpace(strings.ToLower(norm.NFKC.String(orig)))
}

// leadingMagnitude reads the number at the start of s and the magnitude
// word after it, if any, longest first so "万亿" is not read as "万": the
// number, the power of ten the word adds and what follows, trimmed.
// negative reports a minus sign; ok is false when no number starts s.
func leadingMagnitude(s string, magnitudes map[string]int) (num *big.Rat, exp int, rest string, negative, ok bool) {
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−") {
		return nil, 0, s, true, false
	}
	if num, rest, ok = leadingNumber(s); !ok {
		return nil, 0, s, false, false
	}
	exp, rest, _ = leadingWord(strings.TrimSpace(rest), magnitudes)
	return num, exp, rest, false, true
}

// leadingWord finds the longest of words at the start of s and, when it
// stands alone (a Latin word not followed by another Latin letter: "m" of
// "mango" is no million), returns its value and what follows, trimmed;
// otherwise the zero value and s.
func leadingWord[V any](s string, words map[string]V) (V, string, bool) {
	best := ""
	for w := range words {
		if len(w) > len(best) && strings.HasPrefix(s, w) {
			best = w
		}
	}
	if best == "" || (isLatin(best) && len(s) > len(best) && isLatinByte(s[len(best)])) {
		var none V
		return none, s, false
	}
	return words[best], strings.TrimSpace(s[len(best):]), true
}

// scaled is num × 10^exp, exactly.
func scaled(num *big.Rat, exp int) *big.Rat {
	return new(big.Rat).Mul(num, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(exp)), nil)))
}

// wholeCount returns v when it is a whole number from 1 to max; otherwise
// the refusal's key: fraction, zero or absurd.
func wholeCount(v *big.Rat, max int64, fraction, zero, absurd string) (int64, string) {
	switch {
	case !v.IsInt():
		return 0, fraction
	case v.Sign() == 0:
		return 0, zero
	case v.Cmp(new(big.Rat).SetInt64(max)) > 0:
		return 0, absurd
	}
	return v.Num().Int64(), ""
}

func isLatin(w string) bool { return w != "" && isLatinByte(w[0]) }

func isLatinByte(c byte) bool { return c >= 'a' && c <= 'z' }

func amountErr(key, text string) error {
	return models.Errorf(models.EINVALID, key, map[string]any{"Text": text, "Example": amountExample})
}

func quantityErr(key, text string) error {
	return models.Errorf(models.EINVALID, key, map[string]any{"Text": text, "Example": "20 units"})
}

// FormatMinor writes minor units as a plain decimal ("3200000", "1500.5"),
// which ParseAmount reads back.
func FormatMinor(minor int64) string {
	r := new(big.Rat).SetFrac64(minor, 100)
	s := r.FloatString(2)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}
