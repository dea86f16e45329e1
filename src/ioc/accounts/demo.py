"""Demo agencies and one account per role, with passwords generated on this machine.

The passwords are kept in var/demo-accounts.txt (mode 600, never in git) so that every
`make run` can print them again; deleting that file makes the next run issue new ones.
"""

import json
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.db import transaction

from ioc.accounts.choices import AgencyKind, Role
from ioc.accounts.models import Agency, User
from ioc.accounts.services import agency_create, user_create, user_set_password
from ioc.geo.choices import Structure
from ioc.geo.selectors import communes

PROVINCIAL_AGENCIES = [
    # code, Vietnamese name, English name, short name, kind
    ("ubnd-tinh", "Ủy ban nhân dân tỉnh", "Provincial People's Committee", "UBND tỉnh", AgencyKind.PROVINCIAL_COMMITTEE),
    ("so-khcn", "Sở Khoa học và Công nghệ", "Department of Science and Technology", "Sở KH&CN", AgencyKind.DEPARTMENT),
    ("so-y-te", "Sở Y tế", "Department of Health", "Sở Y tế", AgencyKind.DEPARTMENT),
    ("so-gddt", "Sở Giáo dục và Đào tạo", "Department of Education and Training", "Sở GD&ĐT", AgencyKind.DEPARTMENT),
    ("so-tai-chinh", "Sở Tài chính", "Department of Finance", "Sở Tài chính", AgencyKind.DEPARTMENT),
    ("so-xay-dung", "Sở Xây dựng", "Department of Construction", "Sở Xây dựng", AgencyKind.DEPARTMENT),
    ("so-nnmt", "Sở Nông nghiệp và Môi trường", "Department of Agriculture and Environment", "Sở NN&MT", AgencyKind.DEPARTMENT),
    ("so-vhttdl", "Sở Văn hóa, Thể thao và Du lịch", "Department of Culture, Sports and Tourism", "Sở VHTTDL", AgencyKind.DEPARTMENT),
    ("so-cong-thuong", "Sở Công Thương", "Department of Industry and Trade", "Sở Công Thương", AgencyKind.DEPARTMENT),
    ("so-noi-vu", "Sở Nội vụ", "Department of Home Affairs", "Sở Nội vụ", AgencyKind.DEPARTMENT),
    ("cong-an-tinh", "Công an tỉnh", "Provincial Police", "Công an tỉnh", AgencyKind.POLICE),
    ("dien-luc", "Công ty Điện lực Bình Thuận", "Binh Thuan Power Company", "Điện lực", AgencyKind.UTILITY),
    ("cap-thoat-nuoc", "Công ty Cổ phần Cấp thoát nước Bình Thuận", "Binh Thuan Water Supply and Sewerage JSC", "Cấp thoát nước", AgencyKind.UTILITY),
    ("moi-truong-do-thi", "Công ty Cổ phần Môi trường và Dịch vụ đô thị", "Urban Environment and Services JSC", "Môi trường đô thị", AgencyKind.UTILITY),
]  # fmt: skip

# username, role, agency code (None: none), first name, last name
DEMO_USERS = [
    ("demo.citizen", Role.CITIZEN, None, "Lan", "Nguyễn Thị"),
    ("demo.staff", Role.AGENCY_STAFF, "ubnd-22924", "Minh", "Trần Văn"),
    ("demo.head", Role.AGENCY_HEAD, "ubnd-22924", "Hùng", "Lê Quốc"),
    ("demo.operator", Role.OPERATOR, "so-khcn", "Thảo", "Phạm Thị"),
    ("demo.leader", Role.LEADER, "ubnd-tinh", "Sơn", "Võ Thanh"),
    ("demo.admin", Role.ADMIN, "so-khcn", "Quản trị", "Hệ thống"),
]


def credentials_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-accounts.txt"


def load_demo_agencies() -> list[str]:
    created = 0
    with transaction.atomic():
        for code, name, name_en, short_name, kind in PROVINCIAL_AGENCIES:
            if not Agency.objects.filter(code=code).exists():
                agency_create(
                    code=code, name=name, name_en=name_en, short_name=short_name, kind=kind
                )
                created += 1
        province_committee = Agency.objects.get(code="ubnd-tinh")
        for commune in communes(structure=Structure.CURRENT):
            code = f"ubnd-{commune.code}"
            if Agency.objects.filter(code=code).exists():
                continue
            english = commune.name_en or commune.name
            agency_create(
                code=code,
                name=f"Ủy ban nhân dân {commune.name}",
                name_en=f"People's Committee of {english}",
                short_name=f"UBND {commune.name}",
                kind=AgencyKind.COMMUNE_COMMITTEE,
                parent=province_committee,
                units=[commune],
            )
            created += 1
    total = Agency.objects.count()
    return [f"{total} agencies ({created} new)"]


def load_demo_users() -> list[str]:
    path = credentials_file()
    known: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    lines = []
    with transaction.atomic():
        for username, role, agency_code, first_name, last_name in DEMO_USERS:
            agency = Agency.objects.get(code=agency_code) if agency_code else None
            user = User.objects.filter(username=username).first()
            if user is None:
                user, password = user_create(
                    username=username,
                    role=role,
                    agency=agency,
                    first_name=first_name,
                    last_name=last_name,
                    email=f"{username}@demo.invalid",
                )
                known[username] = password
            elif username not in known:
                known[username] = secrets.token_urlsafe(12)
                user_set_password(user=user, password=known[username])
            lines.append(f"{Role.label(role):<20} {username:<15} {known[username]}")
    path.write_text(json.dumps(known, indent=2))
    path.chmod(0o600)
    address = f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
    return [
        *lines,
        f"(passwords generated on this machine, kept in {path})",
        f"Log in at {address}/accounts/login/",
    ]
