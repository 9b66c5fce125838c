#include "core/report_page.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/fsutil.h"
#include "io/html.h"

/* The page must open from disk with no network: no fonts, scripts or
 * styles from elsewhere. */
static const char style[] =
    ":root{--fg:#1c2333;--muted:#5d6678;--line:#e2e5eb;--bg:#f4f5f8;--card:#fff;"
    "--accent:#2a5db0;--ok:#1a7f37;--ok-bg:#e6f4ea;--bad:#b42318;--bad-bg:#fdecea;"
    "--mono:\"DejaVu Sans Mono\",Menlo,Consolas,monospace}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:14px/1.5 system-ui,-apple-system,\"Segoe UI\",\"DejaVu Sans\",sans-serif;"
    "color:var(--fg);background:var(--bg)}\n"
    "header.top{background:#1d2840;color:#fff;padding:22px 0 18px}\n"
    ".wrap{max-width:1200px;margin:0 auto;padding:0 28px}\n"
    "header.top h1{margin:0 0 4px;font-size:24px;font-weight:650;letter-spacing:.2px}\n"
    "header.top .kind{font-size:13px;color:#aab6d0;text-transform:uppercase;letter-spacing:.8px}\n"
    "header.top p.desc{margin:6px 0 12px;max-width:900px;color:#dfe5f2}\n"
    ".chips{display:flex;flex-wrap:wrap;gap:6px}\n"
    ".chip{font-size:12px;padding:2px 9px;border-radius:11px;background:rgba(255,255,255,.12);color:#e8ecf5;"
    "white-space:nowrap}\n"
    ".chip.ok{background:#2f8f4e;color:#fff}.chip.bad{background:#c8372d;color:#fff}\n"
    "nav.toc{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid var(--line)}\n"
    "nav.toc a{display:inline-block;padding:9px 12px;color:var(--muted);text-decoration:none;font-size:13px}\n"
    "nav.toc a:hover{color:var(--accent)}\n"
    "main{padding:8px 0 48px}\n"
    "section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 20px;"
    "margin:16px 0}\n"
    "section>h2{margin:0 0 12px;font-size:17px;font-weight:650}\n"
    "section>h2 .count{color:var(--muted);font-weight:400;font-size:14px;margin-left:6px}\n"
    "h3{margin:0;font-size:15px;font-weight:650}\n"
    "h3 .kind,h3 .time{color:var(--muted);font-weight:400;font-size:13px;margin-left:8px}\n"
    "table{border-collapse:collapse}\n"
    "th,td{padding:4px 12px 4px 0;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}\n"
    "th{font-size:12px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.4px;"
    "white-space:nowrap}\n"
    "tr:last-child>td{border-bottom:none}\n"
    "td.num,th.num{white-space:nowrap;text-align:right;font-family:var(--mono);font-size:13px;"
    "font-variant-numeric:tabular-nums}\n"
    "td.text{font-family:var(--mono);font-size:13px}\n"
    "td.name{font-family:var(--mono);font-size:13px;white-space:nowrap}\n"
    "td.muted,span.muted{color:var(--muted)}\n"
    ".bool-true{color:var(--ok)}.bool-false{color:var(--bad)}\n"
    "table.sortable th{cursor:pointer;user-select:none}\n"
    "table.sortable th:hover{color:var(--accent)}\n"
    "table.sortable th[aria-sort=ascending]::after{content:\" \\25B2\"}\n"
    "table.sortable th[aria-sort=descending]::after{content:\" \\25BC\"}\n"
    ".verdict{display:inline-block;min-width:46px;text-align:center;font-size:12px;font-weight:650;"
    "padding:1px 8px;border-radius:10px}\n"
    ".verdict.ok{color:var(--ok);background:var(--ok-bg)}.verdict.bad{color:var(--bad);background:var(--bad-bg)}\n"
    "tr.miss td{background:#fff7f6}\n"
    ".summary{margin:0 0 10px;color:var(--muted)}\n"
    ".scroll{overflow-x:auto}\n"
    ".cards{columns:2 520px;column-gap:14px}\n"
    ".card{border:1px solid var(--line);border-radius:6px;padding:12px 14px;margin:0 0 14px;"
    "break-inside:avoid}\n"
    ".card h3{margin-bottom:8px}\n"
    ".card>table{width:100%}\n"
    "table.kv td.num{text-align:left}\n"
    ".card td.name{width:1%;padding-right:18px}\n"
    "details>summary{cursor:pointer;color:var(--fg);font-family:var(--mono);font-size:13px}\n"
    "details>summary .muted{font-family:system-ui,sans-serif}\n"
    "details[open]>summary{margin-bottom:6px}\n"
    ".vec{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:0 14px;"
    "font-family:var(--mono);font-size:12px;max-height:320px;overflow:auto;padding:4px 0}\n"
    ".vec span.i{color:var(--muted);display:inline-block;min-width:34px}\n"
    "table.mat td,table.mat th{font-family:var(--mono);font-size:12px;padding:1px 8px;border:1px solid var(--line);"
    "text-align:right;text-transform:none;letter-spacing:0}\n"
    "table.mat th{background:#f7f8fa;color:var(--muted);font-weight:400}\n"
    ".matwrap{max-height:360px;overflow:auto;max-width:100%}\n"
    ".plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:18px}\n"
    "figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:10px;background:#fff}\n"
    "figure img{display:block;max-width:100%;height:auto;margin:0 auto}\n"
    "figcaption{margin-top:6px;font-size:13px;color:var(--muted)}\n"
    "figcaption b{color:var(--fg);font-family:var(--mono);font-weight:600}\n"
    "pre.code{background:#f7f8fa;border:1px solid var(--line);border-radius:6px;padding:12px 14px;margin:0;"
    "font:12.5px/1.5 var(--mono);overflow:auto;white-space:pre-wrap;word-break:break-word}\n"
    "pre.code .k{color:#7a3e9d}\n"
    ".bar{display:inline-block;height:8px;border-radius:4px;background:#8fb0e8;vertical-align:middle}\n"
    ".graph{overflow-x:auto;margin-bottom:14px}\n"
    "table.sweep{min-width:60%}\n"
    "table.sweep th{text-transform:none;letter-spacing:0;font-family:var(--mono);font-size:12.5px}\n"
    "table.sweep th.param{color:var(--accent)}\n"
    "table.sweep th:not(:first-child),table.sweep td:not(:first-child){padding-left:14px}\n"
    "table.sweep tbody tr:hover td{background:#f3f7fd}\n"
    ".graph svg text{font-family:system-ui,\"DejaVu Sans\",sans-serif}\n"
    "a{color:var(--accent)}\n"
    "footer{color:var(--muted);font-size:12px;text-align:center;padding:0 0 30px}\n";

/* The render check (a script error or an image that fails to load marks
 * the page), and click-to-sort for tables with class "sortable": numbers by
 * their data-v, text otherwise, empty cells last. */
static const char script[] =
    "(function(){\n"
    "var errors=0;\n"
    "window.addEventListener('error',function(){errors++;},true);\n"
    "window.addEventListener('load',function(){\n"
    "  var im=document.images,ok=0;\n"
    "  for(var i=0;i<im.length;i++)if(im[i].complete&&im[i].naturalWidth>0)ok++;\n"
    "  document.documentElement.setAttribute('data-render',"
    "(errors?'errors:'+errors:'ok')+' images:'+ok+'/'+im.length);\n"
    "});\n"
    "function key(row,col){var c=row.cells[col];if(!c)return'';"
    "var v=c.getAttribute('data-v');return v===null?c.textContent.trim():v;}\n"
    "document.addEventListener('click',function(e){\n"
    "  var th=e.target.closest&&e.target.closest('table.sortable thead th');if(!th)return;\n"
    "  var table=th.closest('table'),body=table.tBodies[0],col=th.cellIndex;\n"
    "  var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;\n"
    "  var rows=Array.prototype.slice.call(body.rows);\n"
    "  var numeric=rows.every(function(r){var k=key(r,col);return k===''||isFinite(Number(k));});\n"
    "  rows.sort(function(a,b){var x=key(a,col),y=key(b,col);\n"
    "    if(x===''||y==='')return(x==='')-(y==='');\n"
    "    return dir*(numeric?Number(x)-Number(y):x.localeCompare(y,undefined,{numeric:true}));});\n"
    "  rows.forEach(function(r){body.appendChild(r);});\n"
    "  Array.prototype.forEach.call(th.parentNode.cells,function(c){c.removeAttribute('aria-sort');});\n"
    "  th.setAttribute('aria-sort',dir>0?'ascending':'descending');\n"
    "});\n"
    "})();\n";

void lt_page_begin(FILE *f, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          f);
    lt_html_text(f, title);
    fprintf(f, "</title>\n<script>\n%s</script>\n<style>\n%s</style>\n</head>\n<body>\n", script, style);
}

void lt_page_end(FILE *f)
{
    fputs("<footer>written by latent " LATENT_VERSION "</footer>\n</body>\n</html>\n", f);
}

void lt_page_short_number(char *buf, size_t size, double x)
{
    if (isnan(x))
        snprintf(buf, size, "NaN");
    else if (x == floor(x) && fabs(x) < 1e15)
        snprintf(buf, size, "%.0f", x);
    else
        snprintf(buf, size, "%.6g", x);
}

static bool is_number(const lt_json *v)
{
    return v && !lt_json_is_bool(v) && !lt_json_is_null(v) && !lt_json_string(v) && !lt_json_is_array(v) &&
           !lt_json_is_object(v);
}

const char *lt_page_value_text(const lt_json *v, char *buf)
{
    if (!v)
        return "";
    if (lt_json_string(v))
        return lt_json_string(v);
    if (lt_json_is_bool(v))
        return lt_json_number(v) != 0 ? "true" : "false";
    if (lt_json_is_null(v))
        return "null";
    if (isnan(lt_json_number(v)))
        return "NaN";
    lt_json_format_double(buf, lt_json_number(v));
    return buf;
}

void lt_page_value_cell(FILE *f, const lt_json *v, bool full)
{
    char text[32], brief[32];
    if (!v) {
        fputs("<td></td>", f);
    } else if (is_number(v) && !isnan(lt_json_number(v))) {
        lt_json_format_double(text, lt_json_number(v));
        lt_page_short_number(brief, sizeof brief, lt_json_number(v));
        fprintf(f, "<td class=\"num\" data-v=\"%s\"", text);
        if (!full && strcmp(text, brief) != 0)
            fprintf(f, " title=\"%s\"", text);
        fprintf(f, ">%s</td>", full ? text : brief);
    } else if (lt_json_is_bool(v)) {
        bool b = lt_json_number(v) != 0;
        fprintf(f, "<td class=\"text bool-%s\" data-v=\"%d\">%s</td>", b ? "true" : "false", b, b ? "true" : "false");
    } else {
        fputs("<td class=\"text\">", f);
        lt_html_text(f, lt_page_value_text(v, text));
        fputs("</td>", f);
    }
}

void lt_page_figure(FILE *f, const char *path, const char *caption, const char *id)
{
    fputs("<figure", f);
    if (id) {
        fputs(" id=\"", f);
        lt_html_text(f, id);
        fputs("\"", f);
    }
    fputs(">", f);
    size_t n = 0;
    char *png = lt_read_file(path, &n);
    if (png) {
        fputs("<img alt=\"", f);
        lt_html_text(f, caption);
        size_t len = strlen(path);
        bool svg = len > 4 && !strcmp(path + len - 4, ".svg");
        fputs(svg ? "\" src=\"data:image/svg+xml;base64," : "\" src=\"data:image/png;base64,", f);
        lt_html_base64(f, (const unsigned char *)png, n);
        fputs("\">", f);
        free(png);
    } else {
        fputs("<p class=\"muted\">cannot read ", f);
        lt_html_text(f, path);
        fprintf(f, ": %s</p>", strerror(errno));
    }
    fputs("<figcaption>", f);
    lt_html_text(f, caption);
    fputs("</figcaption></figure>\n", f);
}

const char *lt_page_duration(char *buf, double s)
{
    if (!(s >= 0))
        snprintf(buf, 32, "-");
    else if (s < 1e-3)
        snprintf(buf, 32, "%.0f µs", s * 1e6);
    else if (s < 1)
        snprintf(buf, 32, "%.3g ms", s * 1e3);
    else if (s < 120)
        snprintf(buf, 32, "%.3g s", s);
    else
        snprintf(buf, 32, "%.0f min %.0f s", floor(s / 60), fmod(s, 60));
    return buf;
}
