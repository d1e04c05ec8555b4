"""Hostile text for every string a story or an added layer carries (OWASP XSS cheat-sheet style).

Each payload, if it ever ran, would call ``__xss(n)`` (or ``alert``/``confirm``/``prompt``), which
the browser tests define as sentinels; ``n`` tells which payload got through. Import ``PAYLOADS``
(and ``URL_PAYLOADS`` for fields that must be http(s) URLs) to reuse them in other tests.
"""

from __future__ import annotations

PAYLOADS: list[str] = [
    # Plain script and the ways out of the element or attribute the text lands in.
    "<script>__xss(1)</script>",
    "</script><script>__xss(2)</script>",
    "\"><script>__xss(3)</script>",
    "'><script>__xss(4)</script>",
    "</title><script>__xss(5)</script>",
    "</textarea><script>__xss(6)</script>",
    "</style><script>__xss(7)</script>",
    # Event handlers.
    "<img src=x onerror=__xss(8)>",
    "<svg onload=__xss(9)>",
    "<svg/onload=__xss(10)//",
    "<body onload=__xss(11)>",
    "<details open ontoggle=__xss(12)>",
    "<input autofocus onfocus=__xss(13)>",
    "<video><source onerror=\"__xss(14)\"></video>",
    "<marquee onstart=__xss(15)>x</marquee>",
    "\" onmouseover=\"__xss(16)\" x=\"",
    "' onfocus='__xss(17)' autofocus x='",
    # URLs with script schemes, raw and in Markdown, obfuscated.
    "<a href=\"javascript:__xss(18)\">click</a>",
    "[click](javascript:__xss(19))",
    "[click](JaVaScRiPt:__xss(20))",
    "[click](&#106;avascript:__xss(21))",
    "[click](java\tscript:__xss(22))",
    "[click](  javascript:__xss(23))",
    "<javascript:__xss(24)>",
    "[click](vbscript:__xss(25))",
    "[click](data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX194c3MoMjYpPC9zY3JpcHQ+)",
    "![x](javascript:__xss(27))",
    "![x](x\" onerror=\"__xss(28))",
    "[x](https://example.org/\"onmouseover=\"__xss(29))",
    "<a href=\"&#x6A;avascript:__xss(30)\">x</a>",
    "<iframe src=\"javascript:parent.__xss(31)\"></iframe>",
    "<object data=\"javascript:__xss(32)\"></object>",
    "<embed src=\"javascript:__xss(33)\">",
    "<form action=\"javascript:__xss(34)\"><button>x</button></form>",
    "<base href=\"javascript:__xss(35)//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:__xss(36)\">",
    "<svg><a xlink:href=\"javascript:__xss(37)\"><text x=\"20\" y=\"20\">x</text></a></svg>",
    # Parser tricks (comments, CDATA, mutation XSS, broken tags).
    "<!--<script>__xss(38)</script>-->",
    "<!--",
    "<![CDATA[<script>__xss(39)</script>]]>",
    "<scr<script>ipt>__xss(40)</scr</script>ipt>",
    "<noscript><p title=\"</noscript><img src=x onerror=__xss(41)>\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=__xss(42)>",
    "<svg><style><img src=x onerror=__xss(43)></style></svg>",
    "<style>@import 'javascript:__xss(44)';</style>",
    "<div style=\"background:url(javascript:__xss(45))\">x</div>",
    "&lt;script&gt;__xss(46)&lt;/script&gt;",
    # Breaking out of JavaScript strings and templates in inline data.
    "\";__xss(47);//",
    "';__xss(48);//",
    "\\\";__xss(49);//",
    "${__xss(50)}",
    "{{constructor.constructor('__xss(51)')()}}",
    "\u2028__xss(52)\u2029",
    "\u2028</script><script>__xss(53)</script>",
    "<!--<script>__xss(54)//",
    "</script><!--",
]

#: Payloads for fields that must be http(s) URLs: what passes validation reaches the page.
URL_PAYLOADS: list[str] = [
    "https://example.org/\"><script>__xss(101)</script>",
    "https://example.org/'onmouseover='__xss(102)'",
    "https://example.org/?q=<img/src=x/onerror=__xss(103)>",
    "https://example.org/#</a><script>__xss(104)</script>",
]
