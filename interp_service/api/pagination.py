"""One list envelope for every list endpoint: items, page, size, total, pages."""

from __future__ import annotations

from typing import Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

T = TypeVar("T")


class PageParams(BaseModel):
    page: int
    size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def page_params(
    page: int = Query(1, ge=1, le=1_000_000, description="1-based page number"),
    size: int = Query(20, ge=1, le=200, description="items per page"),
) -> PageParams:
    return PageParams(page=page, size=size)


class Page(BaseModel, Generic[T]):
    items: list[T]
    page: int
    size: int
    total: int
    pages: int

    @classmethod
    def of(cls, items: list[T], params: PageParams, total: int) -> Page[T]:
        pages = (total + params.size - 1) // params.size
        return cls(items=items, page=params.page, size=params.size, total=total, pages=pages)
