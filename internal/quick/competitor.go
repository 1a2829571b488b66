package quick

import (
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"salesbot/internal/dates"
	"salesbot/models"
)

// ParseCompetitors reads the competitors of a deal as typed after "vs":
// names separated by commas (or 、 / "/"), each with its details in
// brackets: "Brand X (model X1, unhappy, rep Li), Brand Y" or
// "某品牌(型号X1,不满意,销售 李)". A detail is the competitor's product
// ("model X1", "型号 X1"), the client's satisfaction with it ("unhappy",
// "满意度 一般"), or their rep ("rep Li", "销售 李"); a detail without a
// keyword is the satisfaction when it reads as one, else the product
// first, then the satisfaction. It fails on a competitor without a name,
// an unclosed bracket and more than models.MaxDealCompetitor competitors.
func ParseCompetitors(s string) ([]models.Competitor, error) {
	s = strings.TrimSpace(norm.NFC.String(s))
	var out []models.Competitor
	for _, item := range splitOutside(s, ",，、/") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, details, ok := cutBrackets(item)
		if !ok {
			return nil, models.Errorf(models.EINVALID, "err_deal_competitor_brackets", map[string]any{"Text": item})
		}
		c := models.Competitor{Name: strings.TrimSpace(name)}
		if c.Name == "" {
			return nil, models.Errorf(models.EINVALID, "err_deal_competitor_name", nil)
		}
		var loose []string
		for _, d := range splitOutside(details, ",，;；、") {
			d = strings.TrimSpace(d)
			switch {
			case d == "":
			case cutInto(d, competitorProductWords, &c.Product):
			case cutInto(d, competitorRepWords, &c.Rep):
			case cutInto(d, satisfactionWords, &c.Satisfaction):
			case isWord(d, satisfactionTerms) && c.Satisfaction == "":
				c.Satisfaction = d
			default:
				loose = append(loose, d)
			}
		}
		for _, d := range loose {
			switch {
			case c.Product == "":
				c.Product = d
			case c.Satisfaction == "":
				c.Satisfaction = d
			default:
				c.Satisfaction += ", " + d
			}
		}
		for _, f := range []string{c.Name, c.Product, c.Satisfaction, c.Rep} {
			if utf8.RuneCountInString(f) > models.MaxDealTitle {
				return nil, models.Errorf(models.EINVALID, "err_deal_too_long", map[string]any{"Max": models.MaxDealTitle})
			}
		}
		out = append(out, c)
		if len(out) > models.MaxDealCompetitor {
			return nil, models.Errorf(models.EINVALID, "err_deal_too_many_competitors", map[string]any{"Max": models.MaxDealCompetitor})
		}
	}
	if len(out) == 0 {
		return nil, models.Errorf(models.EINVALID, "err_deal_competitor_name", nil)
	}
	return out, nil
}

var (
	competitorProductWords = words("competitor", "product")
	competitorRepWords     = words("competitor", "rep")
	satisfactionWords      = words("competitor", "satisfaction")
	// satisfactionTerms are what people say of how happy a client is with
	// a competitor's product.
	satisfactionTerms = words("competitor", "said")
)

// cutInto stores what follows one of words at the start of d in *dst.
func cutInto(d string, words []string, dst *string) bool {
	rest, ok := cutWord(d, words)
	if !ok || rest == "" || rest == d {
		return false
	}
	*dst = rest
	return true
}

// splitOutside splits s at any of seps that is not inside brackets.
func splitOutside(s, seps string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch {
		case r == '(' || r == '（' || r == '[' || r == '【':
			depth++
		case (r == ')' || r == '）' || r == ']' || r == '】') && depth > 0:
			depth--
		case depth == 0 && strings.ContainsRune(seps, r):
			out = append(out, s[start:i])
			start = i + utf8.RuneLen(r)
		}
	}
	return append(out, s[start:])
}

// cutBrackets splits "Name (details)" into its name and details; ok is
// false for a bracket left open.
func cutBrackets(item string) (name, details string, ok bool) {
	i := strings.IndexAny(item, "(（[【")
	if i < 0 {
		if strings.ContainsAny(item, ")）]】") {
			return "", "", false
		}
		return item, "", true
	}
	_, w := utf8.DecodeRuneInString(item[i:])
	rest := item[i+w:]
	j := strings.LastIndexAny(rest, ")）]】")
	if j < 0 {
		return "", "", false
	}
	_, cw := utf8.DecodeRuneInString(rest[j:])
	if strings.TrimSpace(rest[j+cw:]) != "" {
		return "", "", false
	}
	return item[:i], rest[:j], true
}

// ParseNextStep reads a deal's next step as typed after "next": what is to
// be done and, anywhere in it, when ("demo 2027-01-15", "send the quote
// friday", "演示 1月15日"). A date in the past is refused: a next step lies
// ahead. Without a date, at is zero.
func ParseNextStep(s string, now time.Time, loc *time.Location) (text string, at time.Time, err error) {
	s = strings.TrimSpace(s)
	r, ferr := dates.Find(s, now, dates.Options{Location: loc})
	if ferr != nil {
		return s, time.Time{}, nil
	}
	text = strings.Trim(strings.TrimSpace(r.Rest), ",，:：-")
	text = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text), " on"))
	if !r.Time.After(now) {
		return "", time.Time{}, models.Errorf(models.EINVALID, "err_deal_next_past", map[string]any{"Text": r.Text})
	}
	return text, r.Time.UTC(), nil
}
