package grammar

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// object translates an object schema. Declared properties come out in
// order, required ones first; optional ones may be left out. Additional
// properties are produced only when no properties are declared.
func (c *schemaConv) object(s *jvalue, name, path string) (string, error) {
	props := s.get("properties")
	if props != nil && props.kind != jObject {
		return "", schemaError(path, ErrBadSchema, "properties must be an object")
	}
	required := map[string]bool{}
	if r := s.get("required"); r != nil {
		if r.kind != jArray {
			return "", schemaError(path, ErrBadSchema, "required must be an array")
		}
		for _, k := range r.arr {
			if k.kind != jString {
				return "", schemaError(path, ErrBadSchema, "required must hold strings")
			}
			if props.get(k.str) == nil {
				return "", schemaError(path, ErrUnsupported, "required property %q without a schema in properties", k.str)
			}
			required[k.str] = true
		}
	}
	sp := c.use("space")
	if props == nil || len(props.keys) == 0 {
		ap := s.get("additionalProperties")
		switch {
		case ap == nil || ap.kind == jBool && ap.b:
			return c.use("object"), nil
		case ap.kind == jBool:
			return c.add(name, `"{" `+sp+` "}"`), nil
		}
		v, err := c.visit(ap, name+"-value", path+"/additionalProperties")
		if err != nil {
			return "", err
		}
		kv := c.add(name+"-kv", c.use("string")+" "+sp+` ":" `+sp+" "+v)
		return c.add(name, fmt.Sprintf(`"{" %s ( %s ( %s "," %s %s )* %s )? "}"`, sp, kv, sp, sp, kv, sp)), nil
	}
	var req, opt []string
	for i, k := range props.keys {
		v, err := c.visit(props.vals[i], name+"-"+k, path+"/properties/"+k)
		if err != nil {
			return "", err
		}
		kv := c.add(name+"-"+k+"-kv", gbnfQuote(quoteJSON(k))+" "+sp+` ":" `+sp+" "+v)
		if required[k] {
			req = append(req, kv)
		} else {
			opt = append(opt, kv)
		}
	}
	sep := fmt.Sprintf(`%s "," %s`, sp, sp)
	var body strings.Builder
	fmt.Fprintf(&body, `"{" %s `, sp)
	if len(req) > 0 {
		body.WriteString(strings.Join(req, " "+sep+" "))
		for _, o := range opt {
			fmt.Fprintf(&body, " ( %s %s )?", sep, o)
		}
		fmt.Fprintf(&body, ` %s "}"`, sp)
		return c.add(name, body.String()), nil
	}
	// No required property: any in-order subset of the optional ones.
	// tail(i) ::= ( sep opt[i] )? tail(i+1)
	tails := make([]string, len(opt)+1)
	for i := len(opt) - 1; i >= 1; i-- {
		t := fmt.Sprintf("( %s %s )?", sep, opt[i])
		if tails[i+1] != "" {
			t += " " + tails[i+1]
		}
		tails[i] = c.add(fmt.Sprintf("%s-rest-%d", name, i), t)
	}
	alts := make([]string, len(opt))
	for i, o := range opt {
		alts[i] = o
		if i+1 < len(opt) {
			alts[i] += " " + tails[i+1]
		}
	}
	fmt.Fprintf(&body, `( ( %s ) %s )? "}"`, strings.Join(alts, " | "), sp)
	return c.add(name, body.String()), nil
}

// count reads a non-negative integer keyword; -1 when absent.
func count(s *jvalue, k, path string) (int, error) {
	v := s.get(k)
	if v == nil {
		return -1, nil
	}
	if v.kind != jNumber {
		return 0, schemaError(path, ErrBadSchema, "%s must be a number", k)
	}
	n, err := strconv.ParseFloat(v.num.String(), 64)
	if err != nil || n < 0 || n != math.Trunc(n) {
		return 0, schemaError(path, ErrBadSchema, "%s must be a non-negative integer", k)
	}
	if n > maxRepeat {
		return 0, schemaError(path, ErrUnsupported, "%s above %d", k, maxRepeat)
	}
	return int(n), nil
}

// bounds reads a pair of counts, like minItems and maxItems (-1 for one
// that is absent), and checks that the maximum is not below the minimum.
func bounds(s *jvalue, minKey, maxKey, path string) (lo, hi int, err error) {
	if lo, err = count(s, minKey, path); err != nil {
		return 0, 0, err
	}
	if hi, err = count(s, maxKey, path); err != nil {
		return 0, 0, err
	}
	if hi >= 0 && hi < max(lo, 0) {
		return 0, 0, schemaError(path, ErrBadSchema, "%s is below %s", maxKey, minKey)
	}
	return lo, hi, nil
}

// repeat renders "{min,max}" for GBNF (max < 0: unbounded).
func repeat(lo, hi int) string {
	switch {
	case hi < 0 && lo == 0:
		return "*"
	case hi < 0 && lo == 1:
		return "+"
	case hi < 0:
		return fmt.Sprintf("{%d,}", lo)
	case lo == 0 && hi == 1:
		return "?"
	case lo == hi:
		return fmt.Sprintf("{%d}", lo)
	}
	return fmt.Sprintf("{%d,%d}", lo, hi)
}

func (c *schemaConv) array(s *jvalue, name, path string) (string, error) {
	lo, hi, err := bounds(s, "minItems", "maxItems", path)
	if err != nil {
		return "", err
	}
	lo = max(lo, 0)
	sp := c.use("space")
	sep := fmt.Sprintf(`%s "," %s`, sp, sp)
	items := s.get("items")
	prefix := s.get("prefixItems")
	if items != nil && items.kind == jArray { // draft 4 tuples
		prefix, items = items, nil
	}
	if prefix != nil {
		if prefix.kind != jArray {
			return "", schemaError(path, ErrBadSchema, "prefixItems must be an array")
		}
		if items != nil && !(items.kind == jBool && !items.b) || lo > len(prefix.arr) {
			if !c.opts.Lenient {
				return "", schemaError(path, ErrUnsupported, "prefixItems with more items after them")
			}
		}
		var parts []string
		for i, p := range prefix.arr {
			e, err := c.visit(p, fmt.Sprintf("%s-%d", name, i), fmt.Sprintf("%s/prefixItems/%d", path, i))
			if err != nil {
				return "", err
			}
			parts = append(parts, e)
		}
		if hi >= 0 && hi < len(parts) {
			parts = parts[:hi]
		}
		// The first lo items are required, the rest optional in order.
		body := ""
		for i := len(parts) - 1; i >= 0; i-- {
			switch {
			case i == 0 && body == "":
				body = parts[0]
			case i == 0:
				body = parts[0] + " " + body
			case i < lo:
				body = sep + " " + parts[i] + " " + body
			case body == "":
				body = fmt.Sprintf("( %s %s )?", sep, parts[i])
			default:
				body = fmt.Sprintf("( %s %s %s )?", sep, parts[i], body)
			}
		}
		if len(parts) == 0 {
			return c.add(name, `"[" `+sp+` "]"`), nil
		}
		if lo == 0 {
			return c.add(name, fmt.Sprintf(`"[" %s ( %s %s )? "]"`, sp, body, sp)), nil
		}
		return c.add(name, fmt.Sprintf(`"[" %s %s %s "]"`, sp, body, sp)), nil
	}
	var item string
	if items != nil {
		if item, err = c.visit(items, name+"-item", path+"/items"); err != nil {
			return "", err
		}
	} else {
		item = c.use("value")
	}
	if hi == 0 {
		return c.add(name, `"[" `+sp+` "]"`), nil
	}
	more := ""
	if hi < 0 {
		more = repeat(max(lo-1, 0), -1)
	} else {
		more = repeat(max(lo-1, 0), hi-1)
	}
	list := item
	if more != "{0}" {
		list = fmt.Sprintf("%s ( %s %s )%s", item, sep, item, more)
	}
	if lo == 0 {
		return c.add(name, fmt.Sprintf(`"[" %s ( %s %s )? "]"`, sp, list, sp)), nil
	}
	return c.add(name, fmt.Sprintf(`"[" %s %s %s "]"`, sp, list, sp)), nil
}

func (c *schemaConv) str(s *jvalue, name, path string) (string, error) {
	lo, hi, err := bounds(s, "minLength", "maxLength", path)
	if err != nil {
		return "", err
	}
	pattern, format := s.get("pattern"), s.get("format")
	if pattern != nil {
		if pattern.kind != jString {
			return "", schemaError(path, ErrBadSchema, "pattern must be a string")
		}
		if (lo >= 0 || hi >= 0 || format != nil) && !c.opts.Lenient {
			return "", schemaError(path, ErrUnsupported, "pattern together with minLength, maxLength or format")
		}
		body, err := c.pattern(pattern.str, path)
		if err != nil {
			return "", err
		}
		return c.add(name, `"\"" `+body+` "\""`), nil
	}
	if format != nil && format.kind == jString {
		switch f := format.str; f {
		case "date", "time", "date-time", "uuid":
			if (lo >= 0 || hi >= 0) && !c.opts.Lenient {
				return "", schemaError(path, ErrUnsupported, "format together with minLength or maxLength")
			}
			return c.add(name, `"\"" `+c.use(f)+` "\""`), nil
		}
	}
	if lo < 0 && hi < 0 {
		return c.use("string"), nil
	}
	return c.add(name, `"\"" `+c.use("char")+repeat(max(lo, 0), hi)+` "\""`), nil
}

// bound reads a numeric keyword as an exact rational.
func bound(s *jvalue, k, path string) (*big.Rat, bool, error) {
	v := s.get(k)
	if v == nil || v.kind == jBool {
		return nil, false, nil
	}
	if v.kind != jNumber {
		return nil, false, schemaError(path, ErrBadSchema, "%s must be a number", k)
	}
	r, ok := new(big.Rat).SetString(v.num.String())
	if !ok {
		return nil, false, schemaError(path, ErrBadSchema, "%s: bad number %s", k, v.num)
	}
	return r, true, nil
}

func (c *schemaConv) number(s *jvalue, name, path string, integer bool) (string, error) {
	min, hasMin, err := bound(s, "minimum", path)
	if err != nil {
		return "", err
	}
	max, hasMax, err := bound(s, "maximum", path)
	if err != nil {
		return "", err
	}
	xmin, hasXmin, err := bound(s, "exclusiveMinimum", path)
	if err != nil {
		return "", err
	}
	xmax, hasXmax, err := bound(s, "exclusiveMaximum", path)
	if err != nil {
		return "", err
	}
	// Draft 4: exclusiveMinimum/Maximum are booleans qualifying the bounds.
	if b := s.get("exclusiveMinimum"); b != nil && b.kind == jBool && b.b && hasMin {
		xmin, hasXmin, hasMin = min, true, false
	}
	if b := s.get("exclusiveMaximum"); b != nil && b.kind == jBool && b.b && hasMax {
		xmax, hasXmax, hasMax = max, true, false
	}
	if !hasMin && !hasMax && !hasXmin && !hasXmax {
		if integer {
			return c.use("integer"), nil
		}
		return c.use("number"), nil
	}
	if !integer {
		if c.opts.Lenient {
			return c.use("number"), nil
		}
		return "", schemaError(path, ErrUnsupported, "minimum or maximum on a number (use an integer)")
	}
	// Integer bounds as inclusive integers.
	var lo, hi *big.Int
	one := big.NewInt(1)
	if hasMin {
		lo = ceilRat(min)
	}
	if hasXmin {
		l := new(big.Int).Add(floorRat(xmin), one)
		if lo == nil || l.Cmp(lo) > 0 {
			lo = l
		}
	}
	if hasMax {
		hi = floorRat(max)
	}
	if hasXmax {
		h := new(big.Int).Sub(ceilRat(xmax), one)
		if hi == nil || h.Cmp(hi) < 0 {
			hi = h
		}
	}
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(16), nil)
	for _, b := range []*big.Int{lo, hi} {
		if b != nil && new(big.Int).Abs(b).Cmp(limit) >= 0 {
			return "", schemaError(path, ErrUnsupported, "integer bounds beyond 16 digits")
		}
	}
	if lo != nil && hi != nil && lo.Cmp(hi) > 0 {
		return "", schemaError(path, ErrBadSchema, "no integer lies between the bounds")
	}
	var l, h *int64
	if lo != nil {
		v := lo.Int64()
		l = &v
	}
	if hi != nil {
		v := hi.Int64()
		h = &v
	}
	return c.add(name, intRange(l, h)), nil
}

func floorRat(r *big.Rat) *big.Int {
	// Euclidean division rounds toward -Inf for a positive divisor.
	q, _ := new(big.Int).DivMod(r.Num(), r.Denom(), new(big.Int))
	return q
}

func ceilRat(r *big.Rat) *big.Int {
	q := floorRat(r)
	if !r.IsInt() {
		q.Add(q, big.NewInt(1))
	}
	return q
}
