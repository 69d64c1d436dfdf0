/* gauntlet HTML report: lays out the embedded JSON. Every string from the data reaches the DOM as
   text (textContent / createTextNode) — never innerHTML — so response bodies stay inert. */
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('gauntlet-data').textContent);
  var COLORS = ['#e8590c', '#1971c2', '#2f9e44', '#9c36b5', '#495057'];
  var charts = [];

  /** el('td', 'num', 'text' | Node | [children]) */
  function el(tag, cls, content) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    add(e, content);
    return e;
  }
  function add(parent, content) {
    if (content === undefined || content === null || content === false) return;
    if (Array.isArray(content)) content.forEach(function (c) { add(parent, c); });
    else if (typeof content === 'object') parent.appendChild(content);
    else if (parent.childNodes.length === 0) parent.textContent = String(content);
    else parent.appendChild(document.createTextNode(String(content)));
  }
  function chip(text, kind) { return el('span', 'chip ' + kind, text); }
  function fmtMs(v) { return v === null || v === undefined ? '—' : (v >= 10 ? v.toFixed(1) : v.toFixed(3)) + ' ms'; }
  function fmtNum(v, digits) { return v === null || v === undefined ? '—' : v.toFixed(digits); }
  function pct(v) { return (v >= 0 ? '+' : '') + (v * 100).toFixed(1) + '%'; }
  function tickLabel(v) {
    if (v === null) return '';
    var digits = v >= 10 ? 0 : v >= 1 ? 1 : v >= 0.1 ? 2 : 3;
    var text = v.toFixed(digits);
    return digits ? text.replace(/\.?0+$/, '') : text;
  }
  /**
   * Ticks of a log latency axis: 1-2-5 of each decade inside [min, max] (every 1…9 multiple when
   * that leaves fewer than three), computed here rather than by uPlot, whose log splits loop
   * forever (until "Invalid array length") when the range starts just below a decade, e.g. 0.0958.
   */
  function logSplits(u, axisIdx, min, max) {
    var all = [];
    var main = [];
    if (!(min > 0) || !(max >= min) || !isFinite(max)) return main;
    var last = Math.ceil(Math.log10(max));
    for (var e = Math.floor(Math.log10(min)); e <= last; e++) {
      var p = Math.pow(10, e);
      for (var m = 1; m <= 9; m++) {
        var v = Number((m * p).toPrecision(12));
        if (v < min || v > max) continue;
        all.push(v);
        if (m === 1 || m === 2 || m === 5) main.push(v);
      }
    }
    return main.length >= 3 ? main : all;
  }
  /** The x scale and axis of a chart: log (range kept near the data, not snapped to decades) or linear. */
  function xAxisOpts(label, log) {
    return {
      scale: log ? { time: false, distr: 3, log: 10, range: function (u, min, max) { return [min / 1.15, max * 1.15]; } } : { time: false },
      axis: { label: label, size: 40, values: function (u, ticks) { return ticks.map(tickLabel); }, splits: log ? logSplits : undefined,
        // Every split gets a label: uPlot's own log filter would keep only the decades.
        filter: log ? function (u, splits) { return splits; } : undefined },
    };
  }
  function route(x) { return x.method + ' ' + x.route; }
  function section(id, title, count) {
    var s = el('section');
    s.id = id;
    s.appendChild(el('h2', null, [title, count === undefined ? null : el('span', 'count', ' (' + count + ')')]));
    return s;
  }
  function table(headers, rows) {
    var t = el('table');
    var head = el('tr');
    // A leading '#' marks a numeric (right-aligned) column.
    headers.forEach(function (h) { head.appendChild(el('th', h.charAt(0) === '#' ? 'num' : null, h.replace(/^#/, ''))); });
    t.appendChild(el('thead', null, head));
    var body = el('tbody');
    rows.forEach(function (cells) {
      var tr = el('tr');
      cells.forEach(function (c) {
        var cell = c !== null && typeof c === 'object' && 'v' in c;
        var td = el('td', cell ? c.cls : null, cell ? c.v : c);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    t.appendChild(body);
    return t;
  }
  function num(v) { return { cls: 'num', v: v }; }
  function nowrap(v) { return { cls: 'nowrap', v: v }; }
  function facts(pairs) {
    var dl = el('dl', 'facts');
    pairs.forEach(function (p) {
      if (p[1] === undefined || p[1] === null || p[1] === '') return;
      dl.appendChild(el('dt', null, p[0]));
      dl.appendChild(el('dd', p[2] || null, p[1]));
    });
    return dl;
  }

  /** The verdict, reasons and unjudged tails are in the HTML itself (readable without scripts); the script adds the contents line above the reasons. */
  function renderNav(main) {
    document.title = 'gauntlet ' + data.gate.verdict + ' · ' + data.runId;
    var nav = el('nav', 'toc');
    [['findings', 'Findings'], ['services', 'Services'], ['latency', 'Latency'], data.load ? ['load', 'Load'] : null, ['cases', 'Cases'], data.trace && data.trace.length ? ['trace', 'Trace structure'] : null, ['noise', 'Noise'], ['rules', 'Gate rules']].forEach(function (s) {
      if (!s) return;
      var a = el('a', null, s[1]);
      a.setAttribute('href', '#' + s[0]);
      nav.appendChild(a);
    });
    main.insertBefore(nav, main.firstChild);
  }

  function renderServices(main) {
    var s = section('services', 'Services', data.services.length);
    s.appendChild(table(['service', 'runtimes', '#cases', '#pairs', '#status match', '#shape diverge', '#value diverge', '#transport', '#identical', 'summary'],
      data.services.map(function (v) {
        return [el('strong', null, v.service), v.primary + ' (primary) vs ' + v.candidate + ' (candidate)', num(v.cases), num(v.pairs),
          num(v.statusMatch + '/' + v.cases), num(v.shapeDiverge), num(v.valueDiverge), num(v.transport), num(v.identical), v.summary];
      })));
    main.appendChild(s);
  }

  /**
   * The cases, diverging ones only until "show all" is ticked; a text filter over every cell, and
   * a click on a column head sorts by it (again: the other way).
   */
  function renderCases(main) {
    var diverging = data.cases.filter(function (c) { return c.diverging; }).length;
    var s = section('cases', 'Cases', data.cases.length + ' — ' + diverging + ' diverging');
    var headers = ['service', 'case', 'request', '#pairs', 'status', '#status =', '#shape =', '#identical', '#median ms (primary / candidate)', 'findings'];
    var keys = data.cases.map(function (c) {
      return [c.service, c.case, route(c), c.pairs, c.status, c.statusMatch / c.pairs, c.shapeMatch / c.pairs, c.bodyMatch / c.pairs, c.ms[1] === null || c.ms[0] === null ? null : c.ms[1] - c.ms[0], c.classes.join(', ')];
    });
    var t = table(headers, data.cases.map(function (c) {
      return [c.service, el('code', null, c.case), nowrap(el('code', null, route(c))), num(c.pairs), nowrap(c.status), num(c.statusMatch + '/' + c.pairs),
        num(c.shapeMatch + '/' + c.pairs), num(c.bodyMatch + '/' + c.pairs), num(fmtMs(c.ms[0]) + ' / ' + fmtMs(c.ms[1])), c.classes.join(', ') || '—'];
    }));
    t.id = 'cases-table';
    var body = t.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (tr, i) { tr.setAttribute('data-diverging', String(data.cases[i].diverging)); tr.setAttribute('data-index', String(i)); });
    var showAll = el('input');
    showAll.type = 'checkbox';
    showAll.id = 'cases-show-all';
    var filter = el('input');
    filter.type = 'search';
    filter.id = 'cases-filter';
    filter.placeholder = 'filter cases (service, case, route, class…)';
    var shown = el('span', 'muted');
    var none = el('p', 'empty', 'No case diverges: tick "show all" to list the ' + data.cases.length + ' matching cases.');
    function apply() {
      var q = filter.value.trim().toLowerCase();
      var n = 0;
      rows.forEach(function (tr) {
        var ok = (showAll.checked || tr.getAttribute('data-diverging') === 'true') && (!q || tr.textContent.toLowerCase().indexOf(q) >= 0);
        tr.hidden = !ok;
        if (ok) n++;
      });
      shown.textContent = n + ' of ' + data.cases.length + ' shown';
      none.hidden = n > 0 || showAll.checked || q !== '';
      t.hidden = n === 0;
    }
    var sortCol = -1;
    var sortDir = 1;
    Array.prototype.forEach.call(t.tHead.rows[0].cells, function (th, col) {
      th.className = (th.className ? th.className + ' ' : '') + 'sortable';
      th.setAttribute('role', 'button');
      th.tabIndex = 0;
      th.title = 'sort by ' + th.textContent;
      function sortBy() {
        sortDir = sortCol === col ? -sortDir : 1;
        sortCol = col;
        Array.prototype.forEach.call(t.tHead.rows[0].cells, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
        rows.sort(function (a, b) {
          var x = keys[+a.getAttribute('data-index')][col];
          var y = keys[+b.getAttribute('data-index')][col];
          if (x === y) return 0;
          if (x === null) return 1;
          if (y === null) return -1;
          return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * sortDir;
        });
        rows.forEach(function (tr) { body.appendChild(tr); });
      }
      th.addEventListener('click', sortBy);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBy(); } });
    });
    showAll.addEventListener('change', apply);
    filter.addEventListener('input', apply);
    var label = el('label', null, [showAll, ' show all ' + data.cases.length + ' cases']);
    s.appendChild(el('div', 'toolbar', [filter, label, shown]));
    s.appendChild(none);
    s.appendChild(el('div', 'table-scroll', t));
    main.appendChild(s);
    apply();
  }

  function snippet(title, segs) {
    var pre = el('pre', segs === null ? 'absent' : null);
    if (segs === null) pre.textContent = '(absent on this side)';
    else segs.forEach(function (seg) {
      if (seg.m) pre.appendChild(el('span', 'm-' + seg.m, seg.t));
      else pre.appendChild(document.createTextNode(seg.t));
    });
    return el('div', 'side', [el('h4', null, title), pre]);
  }

  function markLegend() {
    var marks = [['tag', 'enum variant / discriminator'], ['case', 'same key, different case'], ['only', 'only on this side'], ['chg', 'value differs']];
    return el('div', 'legend', marks.map(function (m) { return el('span', null, [el('span', 'sw m-' + m[0], m[0]), m[1]]); }));
  }

  function renderFindings(main) {
    var s = section('findings', 'Findings', data.findings.length);
    if (data.findings.length) s.appendChild(markLegend());
    else s.appendChild(el('p', 'empty', 'No divergences: every compared response matched after the noise model.'));
    data.findings.forEach(function (f) {
      var card = el('article', 'card ' + f.label);
      card.appendChild(el('div', 'card-head', [
        chip(f.label, f.label), chip(f.kind + '/' + f.class, 'neutral'),
        el('span', 'title', f.service + ' '), el('code', null, route(f)), el('code', null, f.path || '(body)'),
        el('span', 'muted', '×' + f.count), f.ledgerId ? chip(f.ledgerId, 'neutral') : null,
      ]));
      card.appendChild(facts([
        ['ledger', f.reason], ['finding id', f.id, 'mono'], ['cases', f.cases.join(', ')], ['seen', f.firstSeen + ' … ' + f.lastSeen],
        ['example', f.example.case + ' at ' + (f.example.path || '(body)')],
      ]));
      card.appendChild(el('div', 'sides', [snippet(f.primary + ' (primary)', f.diff.left), snippet(f.candidate + ' (candidate)', f.diff.right)]));
      card.appendChild(facts([
        ['detail', f.example.detail], ['explains', f.details.join(', ')], ['cause', f.cause], ['fix', f.hint],
      ]));
      s.appendChild(card);
    });
    data.resolved.forEach(function (r) {
      var card = el('article', 'card resolved');
      card.appendChild(el('div', 'card-head', [chip('resolved?', 'resolved'), chip(r.class, 'neutral'), el('span', 'title', r.service + ' '),
        el('code', null, r.route), el('code', null, r.path), chip(r.ledgerId, 'neutral')]));
      card.appendChild(facts([['ledger note', r.note], ['what now', 'did not reproduce in this run — close it in the ledger if it is fixed']]));
      s.appendChild(card);
    });
    main.appendChild(s);
  }

  function drawChart(host, title, chartData, runtimes, kind) {
    var wrap = el('div', 'chart', el('h4', null, title));
    var plot = el('div');
    plot.setAttribute('role', 'img');
    plot.setAttribute('aria-label', title);
    wrap.appendChild(plot);
    host.appendChild(wrap);
    if (!chartData.x.length) { plot.appendChild(el('p', 'empty', 'no samples')); return; }
    var stepped = uPlot.paths.stepped({ align: 1 });
    var xs = xAxisOpts(chartData.log ? 'latency (ms, log scale)' : 'latency (ms)', chartData.log);
    var opts = {
      width: Math.max(280, wrap.clientWidth || 520),
      height: 230,
      scales: {
        // Latency spans decades: log x (when every value is positive) keeps the body and the tail readable.
        x: xs.scale,
        y: kind === 'cdf' ? { range: [0, 1] } : { range: function (u, min, max) { return [0, Math.max(max * 1.1, 0.01)]; } },
      },
      axes: [
        xs.axis,
        { label: kind === 'cdf' ? 'share ≤ x' : 'share of samples', size: 56 },
      ],
      legend: { show: true },
      series: [{ label: 'latency', value: function (u, v) { return v === null ? '' : fmtMs(v); } }].concat(runtimes.map(function (r, i) {
        var c = COLORS[i % COLORS.length];
        return { label: r.runtime + ' (' + r.role + ')', stroke: c, width: 2, paths: stepped, points: { show: false }, fill: kind === 'hist' ? c + '30' : undefined,
          value: function (u, v) { return v === null ? '' : (v * 100).toFixed(1) + '%'; } };
      })),
    };
    charts.push({ plot: new uPlot(opts, [chartData.x].concat(chartData.ys), plot), wrap: wrap });
  }

  function renderLatency(main) {
    var s = section('latency', 'Latency', data.latency.length);
    // In the document before drawing, so each chart can take its container's width.
    main.appendChild(s);
    if (!data.latency.length) s.appendChild(el('p', 'empty', 'No latency samples in this run.'));
    data.latency.forEach(function (l) {
      var j = l.judged;
      var card = el('article', 'card');
      card.appendChild(el('div', 'card-head', [el('span', 'title', l.service + ' '), el('code', null, route(l)),
        j ? chip(j.verdict, j.verdict) : chip('not judged', 'neutral'), el('span', 'muted', l.source + ' spans')]));
      if (j) {
        card.appendChild(facts([
          ['verdict', j.summary],
          ['shift', j.shift ? fmtMs(j.shift.estimate) + ' (' + pct(j.shift.relative) + '), interval [' + fmtMs(j.shift.lower) + ', ' + fmtMs(j.shift.upper) + ']' : j.reason],
          ['p-value', j.pValue === null ? null : j.pValue.toPrecision(3) + (j.adjustedPValue === null ? '' : ' (adjusted ' + j.adjustedPValue.toPrecision(3) + ')')],
          ['samples needed', j.needed === null ? null : '≈' + j.needed + ' per side'],
        ]));
      }
      var tables = el('div', 'tables');
      tables.appendChild(table(['runtime', 'role', '#n', '#errors', '#p50 ms', '#p95 ms', '#p99 ms'], l.runtimes.map(function (r) {
        return [r.runtime, r.role, num(r.n), num(r.errors + '/' + r.total), num(fmtNum(r.p50, 3)), num(fmtNum(r.p95, 3)), num(fmtNum(r.p99, 3))];
      })));
      if (j && j.quantiles.length) {
        tables.appendChild(table(['quantile', '#' + j.primary + ' ms', '#' + j.candidate + ' ms', '#ratio', '#interval', 'judged'], j.quantiles.map(function (q) {
          return ['p' + Math.round(q.p * 1000) / 10, num(fmtNum(q.a, 3)), num(fmtNum(q.b, 3)), num('×' + fmtNum(q.ratio, 3)),
            num(q.lower === null || q.upper === null ? '—' : '[' + fmtNum(q.lower, 3) + ', ' + fmtNum(q.upper, 3) + ']'), q.skipped ? q.skipped : q.flagged ? el('span', 'flag', 'flagged') : 'within tolerance'];
        })));
      }
      card.appendChild(tables);
      var host = el('div', 'charts');
      card.appendChild(host);
      s.appendChild(card);
      drawChart(host, 'Cumulative distribution', l.cdf, l.runtimes, 'cdf');
      drawChart(host, l.histogram.log ? 'Histogram (log-spaced bins)' : 'Histogram', l.histogram, l.runtimes, 'hist');
    });
  }

  /** The load phase: per scenario the runtimes side by side, the thresholds, and B's latency verdict per route. */
  function renderLoad(main) {
    var l = data.load;
    if (!l) return;
    var s = section('load', 'Load', l.service + ': ' + l.runtimes[0] + ' (A) vs ' + l.runtimes[1] + ' (B)');
    main.appendChild(s);
    if (l.incomplete) s.appendChild(el('p', null, el('strong', null, 'INCOMPLETE — interrupted after ' + l.incomplete.blocks + ' of ' + l.incomplete.planned + ' blocks; the numbers cover only what was sent.')));
    if (l.aborted) s.appendChild(el('p', null, el('strong', null, 'Aborted by an abortOnFail threshold: ' + l.aborted)));
    function ms(v) { return v === null || v === undefined ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(2); }
    l.scenarios.forEach(function (sc) {
      var card = el('article', 'card');
      card.appendChild(el('div', 'card-head', [el('span', 'title', sc.name + ' '), sc.executor ? el('span', 'muted', sc.executor) : null]));
      // The runtimes side by side across the card; the thresholds below them, then B's verdict per route.
      card.appendChild(el('div', 'stacked', table(['runtime', 'role', '#rate', '#target', '#requests', '#errors', '#dropped', '#p50 ms', '#p95 ms', '#p99 ms', '#max ms'], sc.runtimes.map(function (r) {
        return [r.runtime, r.role || '—', num(r.achievedRate === null ? '—' : r.achievedRate.toFixed(1) + '/s'), num(r.targetRate === null ? '—' : r.targetRate.toFixed(1) + '/s'), num(r.requests),
          num(r.errors + (r.errorRate === null ? '' : ' (' + (r.errorRate * 100).toFixed(2) + '%)')), num(r.droppedIterations), num(ms(r.latency.p50)), num(ms(r.latency.p95)), num(ms(r.latency.p99)), num(ms(r.latency.max))];
      }))));
      var tables = el('div', 'tables');
      // One row per threshold, a column per runtime: the observed value and whether it held.
      var keys = [];
      sc.runtimes.forEach(function (r) { r.thresholds.forEach(function (t) { var k = t.metric + ' ' + t.threshold; if (keys.indexOf(k) < 0) keys.push(k); }); });
      if (keys.length) {
        tables.appendChild(table(['threshold'].concat(sc.runtimes.map(function (r) { return '#' + r.runtime; })), keys.map(function (k) {
          return [el('code', null, k)].concat(sc.runtimes.map(function (r) {
            var t = r.thresholds.filter(function (x) { return x.metric + ' ' + x.threshold === k; })[0];
            return num(t ? el('span', 'chips', [chip(t.ok ? 'pass' : 'fail', t.ok ? 'pass' : 'fail'), ms(t.observed)]) : '—');
          }));
        })));
      }
      if (keys.length) card.appendChild(tables);
      var routes = sc.routes.filter(function (r) { return r.verdict; });
      if (routes.length) {
        card.appendChild(el('div', 'stacked', table(['request', '#p50 ms A → B', '#p99 ms A → B', 'verdict', 'why'], routes.map(function (r) {
          var a = r.runtimes[0] || { latency: {} };
          var b = r.runtimes[1] || { latency: {} };
          return [nowrap(el('code', null, route(r))), num(ms(a.latency.p50) + ' → ' + ms(b.latency.p50)), num(ms(a.latency.p99) + ' → ' + ms(b.latency.p99)), chip(r.verdict.verdict, r.verdict.verdict), r.verdict.reason];
        }))));
      }
      if (sc.timeline) drawLoadCharts(card, sc, l.runtimes);
      s.appendChild(card);
    });
  }

  /** A plain uPlot line chart; series without a single value are left out (so no legend entry stands for nothing). */
  function plotLines(host, title, x, series, axes, xLog) {
    var wrap = el('div', 'chart', el('h4', null, title));
    var plot = el('div');
    plot.setAttribute('role', 'img');
    plot.setAttribute('aria-label', title);
    wrap.appendChild(plot);
    host.appendChild(wrap);
    var drawn = series.filter(function (sr) { return sr.y.some(function (v) { return v !== null; }); });
    if (!x.length || !drawn.length) { plot.appendChild(el('p', 'empty', 'no samples')); return; }
    var xs = xAxisOpts(axes.x, xLog);
    var opts = {
      width: Math.max(280, wrap.clientWidth || 400),
      height: 230,
      scales: { x: xs.scale, y: axes.yRange ? { range: axes.yRange } : { range: function (u, min, max) { return [0, Math.max(max * 1.1, 0.01)]; } } },
      axes: [xs.axis, { label: axes.y, size: 56 }],
      legend: { show: true },
      series: [{ label: axes.x, value: function (u, v) { return v === null ? '' : tickLabel(v); } }].concat(drawn.map(function (sr) {
        return { label: sr.label, stroke: sr.color, width: 2, dash: sr.dash, spanGaps: true, paths: sr.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined,
          points: { show: !sr.stepped, size: 5, fill: sr.color }, value: function (u, v) { return v === null ? '' : sr.fmt(v); } };
      })),
    };
    charts.push({ plot: new uPlot(opts, [x].concat(drawn.map(function (sr) { return sr.y; })), plot), wrap: wrap });
  }

  /** Per scenario: each block's achieved rate and latency percentiles over time, and each runtime's latency CDF. */
  function drawLoadCharts(card, sc, runtimes) {
    var host = el('div', 'charts load-charts');
    card.appendChild(host);
    var blocks = sc.timeline.blocks;
    // One x per block (its start, in seconds: ascending, as uPlot needs); a runtime's series is null on the other runtime's blocks.
    var x = blocks.map(function (b) { return b.t; });
    function perRuntime(field, rt) { return blocks.map(function (b) { return b.runtime === rt ? b[field] : null; }); }
    var rate = runtimes.map(function (rt, i) { return { label: rt + ' rate', color: COLORS[i % COLORS.length], y: perRuntime('rate', rt), fmt: function (v) { return v.toFixed(1) + '/s'; } }; });
    var target = blocks.map(function (b) { return b.targetRate; });
    rate.push({ label: 'target', color: COLORS[4], dash: [6, 4], y: target, fmt: function (v) { return v.toFixed(1) + '/s'; } });
    plotLines(host, 'Rate per block', x, rate, { x: 'time (s)', y: 'requests / s' });
    var lat = [];
    runtimes.forEach(function (rt, i) {
      lat.push({ label: rt + ' p50', color: COLORS[i % COLORS.length], y: perRuntime('p50', rt), fmt: fmtMs });
      lat.push({ label: rt + ' p95', color: COLORS[i % COLORS.length], dash: [5, 3], y: perRuntime('p95', rt), fmt: fmtMs });
    });
    plotLines(host, 'Latency per block (p50, p95)', x, lat, { x: 'time (s)', y: 'ms' });
    // The CDFs on one x grid: the union of every runtime's points, each a step function carried forward.
    var grid = [];
    sc.timeline.cdf.forEach(function (c) { c.points.forEach(function (p) { grid.push(p[0]); }); });
    grid = grid.filter(function (v, i, a) { return a.indexOf(v) === i; }).sort(function (a, b) { return a - b; });
    var cdf = sc.timeline.cdf.map(function (c) {
      var i = runtimes.indexOf(c.runtime);
      var j = 0;
      var last = null;
      var y = grid.map(function (g) {
        while (j < c.points.length && c.points[j][0] <= g) { last = c.points[j][1]; j++; }
        return last === null ? 0 : last;
      });
      return { label: c.runtime, color: COLORS[(i < 0 ? 0 : i) % COLORS.length], stepped: true, y: y, fmt: function (v) { return (v * 100).toFixed(1) + '%'; } };
    });
    plotLines(host, 'Latency CDF per runtime', grid, cdf, { x: grid.length && grid[0] > 0 ? 'latency (ms, log scale)' : 'latency (ms)', y: 'share ≤ x', yRange: [0, 1] }, grid.length > 0 && grid[0] > 0);
  }

  // Per route, both runtimes' aggregated span trees side by side; rows with a trace finding are marked.
  function renderTrace(main) {
    if (!data.trace || !data.trace.length) return;
    var s = section('trace', 'Trace structure', data.trace.length + ' routes');
    data.trace.forEach(function (r) {
      s.appendChild(el('h3', null, [r.service + ' ', el('code', null, route(r)), ' — ' + r.primary + ' (' + r.requests[0] + ' requests, tree ' + r.signatures[0] + ') vs ' + r.candidate + ' (' + r.requests[1] + ', tree ' + r.signatures[1] + ')']));
      function side(x, n) {
        if (!x) return [num('—'), num('—'), num('—'), '—'];
        return [num(fmtNum(x.calls, 2) + '×'), num(fmtMs(x.selfP50) + ' / ' + fmtMs(x.selfP95)), num(x.errors), el('code', null, x.example.slice(0, 16) + '…')];
      }
      var t = table(['operation', 'kind', '#' + r.primary + ' calls/req', '#self p50/p95', '#hidden errors', 'example trace', '#' + r.candidate + ' calls/req', '#self p50/p95', '#hidden errors', 'example trace', 'finding'], r.ops.map(function (o) {
        var name = el('span', null, '\u00a0'.repeat(o.depth * 3) + o.label);
        return [name, o.kind].concat(side(o.primary), side(o.candidate), [el('span', 'chips', o.findings.map(function (c) { return chip('trace/' + c, 'fail'); }))]);
      }));
      Array.prototype.forEach.call(t.querySelectorAll('tbody tr'), function (tr, i) { if (r.ops[i].findings.length) tr.className = 'trace-diff'; });
      s.appendChild(t);
    });
    main.appendChild(s);
  }

  function renderNoise(main) {
    var total = data.noise.reduce(function (n, e) { return n + e.count; }, 0);
    var s = section('noise', 'Noise', total + ' suppressed');
    if (!data.noise.length) s.appendChild(el('p', 'empty', 'Nothing was suppressed.'));
    else s.appendChild(table(['service', 'request', 'class', 'path', 'reason', '#count'], data.noise.map(function (e) {
      return [e.service, el('code', null, route(e)), e.class, el('code', null, e.path || '(body)'), e.reason, num(e.count)];
    })));
    main.appendChild(s);
  }

  function renderRules(main) {
    var failed = data.rules.filter(function (r) { return r.status === 'fail'; }).length;
    var s = section('rules', 'Gate rules', data.rules.length + ', ' + failed + ' failed');
    s.appendChild(table(['status', 'rule', 'name', 'message'], data.rules.map(function (r) {
      return [el('span', 'chips', [chip(r.status, r.status), r.critical ? chip('critical', 'critical') : null]), r.rule, el('code', null, r.name), r.message];
    })));
    main.appendChild(s);
  }

  var main = document.getElementById('app');
  // The answer first: verdict, reasons and tails (in the HTML), then the findings; the detail after.
  [renderNav, renderFindings, renderServices, renderLatency, renderLoad, renderCases, renderTrace, renderNoise, renderRules].forEach(function (f) { f(main); });
  main.appendChild(el('footer', null, 'gauntlet report · data embedded in this file (report v' + data.version + ') · charts by uPlot'));

  var pending = 0;
  window.addEventListener('resize', function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () {
      charts.forEach(function (c) { c.plot.setSize({ width: Math.max(280, c.wrap.clientWidth), height: 230 }); });
    });
  });
  document.documentElement.setAttribute('data-rendered', String(charts.length));
})();
