#!/usr/bin/env python3
"""Write the small Wenjuanxing-style sample files in this folder (seeded; synthetic answers):
wjx_sample.csv (UTF-8 with BOM), wjx_sample_gbk.csv (GBK), wjx_sample.xlsx, wjx_sample.xls.
    pip install openpyxl xlwt && python3 make_sample.py
"""
import random, csv, io
random.seed(11)
header = ["序号", "提交答卷时间", "所用时间", "来源", "来源详情", "来自IP",
          "1、您所在的省份", "2、您所在的区域", "3、政策研究工作情况", "4、政策规划工作情况", "5、政策执行工作情况",
          "6(公共服务共建共享)", "6(现代基础设施网络)", "6(国际消费目的地)", "7、您认为应采取的协同方式", "8、其他建议"]
zones = {"四川": ["A1", "A2", "A3"], "重庆": ["B1", "B2", "B3", "B4"]}
modes = ["协同合作、联合推进", "分工合作、各有侧重", "各自推进、互不干涉", "其他〖请注明〗"]
rows = []
for i in range(80):
    p = random.choice(["四川", "重庆"])
    z = random.choice(zones[p])
    base = random.gauss(3.8 if p == "四川" else 3.5, 0.7)
    lik = [str(min(5, max(1, round(base + random.gauss(d, 0.6))))) for d in (0.0, 0.05, 0.3)]
    if i % 17 == 5:
        lik[1] = "-3"          # Wenjuanxing code: question not shown
    if i % 23 == 7:
        lik[0] = "(跳过)"
    m = [1 if random.random() < q else 0 for q in (0.7, 0.65, 0.37)]
    if sum(m) == 0:
        m[0] = 1
    mode = random.choices(modes, weights=[5, 3, 1, 1])[0]
    if mode.startswith("其他"):
        mode = "其他〖联合发文〗"
    rows.append([str(i + 1), f"2023/5/{1 + i % 28} 10:{i % 60:02d}:00", f"{100 + i}秒", "手机提交", "直接访问", f"10.0.0.{i}(四川-成都)" if p == "四川" else f"10.0.1.{i}(重庆-重庆)",
                 p, z, *lik, *map(str, m), mode, "(空)" if i % 3 else "加强标准共享"])
buf = io.StringIO()
w = csv.writer(buf, lineterminator="\n")
w.writerow(header)
w.writerows(rows)
text = buf.getvalue()
open("wjx_sample.csv", "wb").write(b"\xef\xbb\xbf" + text.encode("utf-8"))
open("wjx_sample_gbk.csv", "wb").write(text.encode("gbk"))
import openpyxl
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "Sheet1"
ws.append(header)
for r in rows:
    ws.append([int(v) if v.lstrip("-").isdigit() else v for v in r])
wb.save("wjx_sample.xlsx")
import xlwt
wb = xlwt.Workbook(); ws = wb.add_sheet("Sheet1")
for j, h in enumerate(header):
    ws.write(0, j, h)
for i, r in enumerate(rows):
    for j, v in enumerate(r):
        ws.write(i + 1, j, int(v) if v.lstrip("-").isdigit() else v)
wb.save("wjx_sample.xls")
print("wrote sample files")
